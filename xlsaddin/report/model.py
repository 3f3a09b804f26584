"""What goes into the Word report: plain data, rendered by :mod:`xlsaddin.report.docx_writer`."""

from __future__ import annotations

import datetime as dt
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
    font_pt: float = 12.0  # a long annex list may be set smaller (11 pt)
    # (row, column) -> (number, Excel display format) of a cell shown as text in ``rows``:
    # the print-ready workbook stores the number, the format shows it as the text does
    numbers: dict[tuple[int, int], tuple[float | dt.date, str]] = field(default_factory=dict)


@dataclass
class ReportImage:
    path: Path
    caption: str  # "Biểu đồ 1. ..."
    width_cm: float = 15.0


@dataclass
class ReportSection:
    heading: str  # numbered, e.g. "1. Về hạ tầng kỹ thuật, công nghệ"
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    images: list[ReportImage] = field(default_factory=list)
    level: int = 2  # 1 "I.", 2 "1.", 3 "a)": how the heading is set


@dataclass
class ReportAnnex:
    """One phụ lục: on its own pages, with its own page numbers (Decree 30/2020/NĐ-CP)."""

    label: str  # "Phụ lục I"
    title: str  # "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU"
    paragraphs: list[str] = field(default_factory=list)
    tables: list[ReportTable] = field(default_factory=list)
    landscape: bool = False  # a wide table: the phụ lục's pages turn (its own section)


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
    closing: str = ""  # "Trên đây là báo cáo .../." after the last section
    annex: list[ReportAnnex] = field(default_factory=list)
    # under each phụ lục's title: "(Kèm theo Báo cáo số .../BC-... ngày ... của ...)"
    annex_note: str = ""
    recipients: list[str] = field(default_factory=list)  # "Nơi nhận:" lines, punctuated
    signer_role: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = ""
