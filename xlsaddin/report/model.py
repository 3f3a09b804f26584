"""What goes into the Word report: plain data, rendered by :mod:`xlsaddin.report.docx_writer`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ReportTable:
    """A numbered table: "Bảng {number}. {title}", header row, body rows, a source line."""

    number: int
    title: str
    headers: list[str]
    rows: list[list[str]]
    source: str | None = None  # e.g. "Nguồn: tổng hợp từ báo cáo của 93/96 xã, phường, đặc khu"
    widths_cm: list[float] | None = None  # column widths; None = spread evenly
    numeric_columns: list[int] = field(default_factory=list)  # right-aligned columns


@dataclass
class ReportImage:
    path: Path
    caption: str  # "Biểu đồ 1. ..."
    width_cm: float = 15.0


@dataclass
class ReportSection:
    heading: str  # e.g. "1. Hạ tầng phục vụ chính quyền địa phương hai cấp"
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    images: list[ReportImage] = field(default_factory=list)


@dataclass
class ReportDoc:
    """An administrative report (báo cáo) laid out per Decree 30/2020/NĐ-CP."""

    authority: str  # governing body, e.g. "UBND TỈNH QUẢNG NGÃI"
    issuer: str  # issuing body, e.g. "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    number: str  # e.g. "Số:      /BC-SKHCN"
    place_date: str  # e.g. "Quảng Ngãi, ngày      tháng 12 năm 2025"
    title: str  # "BÁO CÁO"
    subtitle: str  # what it reports on, e.g. "Kết quả thực hiện ... Quý IV năm 2025"
    intro: list[str] = field(default_factory=list)
    sections: list[ReportSection] = field(default_factory=list)
    annex_title: str = "PHỤ LỤC"
    annex: list[ReportSection] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" lines
    signer_role: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = ""
