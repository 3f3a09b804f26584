"""Render the pages reviewers look at to docs/img/ (LibreOffice + pdftoppm).

    python tools/render_pages.py [--dpi 70]

Builds the demo (templates, inbox, provincial workbook, Word report, print-ready tables) in a
temporary folder, converts every output to PDF in one LibreOffice run, and writes the first
page of the chosen sheets / report pages as PNG. The PNGs are committed so reviewers can see
the printouts without LibreOffice; ``docs/report.md`` lists them.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.pdfpages import pages_per_sheet, read_pages  # noqa: E402

# (output file stem, sheet whose first page is wanted | "page:N", image name)
WANTED = [
    ("PL01_TieuChiHaTang", "page:1", "PL01_TieuChiHaTang"),
    ("PL02_NguonLucTaiChinh", "page:1", "PL02_NguonLucTaiChinh"),
    ("PL03_KetQuaTTHC", "page:1", "PL03_KetQuaTTHC"),
    ("PL04_NhiemVu", "page:1", "PL04_NhiemVu"),
    ("PL05_VanBan", "page:1", "PL05_VanBan"),
    ("PL06_NhanLuc", "page:1", "PL06_NhanLuc"),
    ("PL07_KhoKhan", "page:1", "PL07_KhoKhan"),
    ("PL08_NhanXet", "page:1", "PL08_NhanXet"),
    ("BangDieuKhien", "page:1", "BangDieuKhien"),
    ("TongHop", "Tổng hợp", "tinh_tong_hop"),
    ("TongHop", "Tổng hợp:last", "tinh_bieu_do"),
    ("TongHop", "Tình hình nộp báo cáo", "tinh_tinh_hinh_nop"),
    ("TongHop", "PL02 Nguồn lực tài chính", "tinh_PL02"),
    ("TongHop", "PL04 Nhiệm vụ", "tinh_PL04"),
    ("TongHop", "Nhiệm vụ quá hạn", "tinh_nhiem_vu_qua_han"),
    ("TongHop", "Lỗi", "tinh_loi"),
    ("TongHop", "PL07 Khó khăn", "tinh_PL07"),
    ("TongHop", "Bảng 2", "bang_2"),
    ("TongHop", "Bảng 5", "bang_5"),
    ("BaoCao", "page:1", "report_page1"),
    ("BaoCao", "page:2", "report_page2"),
    ("BaoCao", "Phụ lục I", "report_phu_luc_1"),
    ("BaoCao", "Phụ lục II", "report_phu_luc_2"),
    ("BaoCao", "Phụ lục III", "report_phu_luc_3"),
    ("BaoCao", "Phụ lục IV", "report_phu_luc_4"),
]


def _page(pdf: Path, wanted: str) -> int:
    if wanted.startswith("page:"):
        return int(wanted[5:])
    pages = read_pages(pdf)
    if pdf.stem.startswith("BaoCao"):  # a phụ lục: the page that opens it
        return next(p.number for p in pages if p.text.lstrip().startswith(wanted + "\n"))
    sheet, _, which = wanted.partition(":")
    numbers = [p.number for p in pages if p.sheet == sheet]
    return numbers[-1] if which == "last" else numbers[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dpi", type=int, default=70)
    args = parser.parse_args()
    from xlsaddin.demo import run_demo
    from xlsaddin.pipeline import Outputs, run_consolidation
    from xlsaddin.spec import load_mappings

    out = ROOT / "docs" / "img"
    out.mkdir(parents=True, exist_ok=True)
    soffice = shutil.which("soffice") or "soffice"
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        mappings = load_mappings(ROOT / "mappings")
        demo = run_demo(mappings, tmp / "demo")
        target = tmp / "TongHop.xlsx"
        outputs = Outputs(
            workbook=target,
            report_docx=tmp / "BaoCao.docx",
            report_xlsx=tmp / "BangSoLieu.xlsx",
        )
        run_consolidation([demo.inbox], mappings, outputs=outputs)
        files = [*sorted((ROOT / "workbooks").glob("*.xlsx"))]
        files += [ROOT / "workbooks" / "BangDieuKhien.xlsm", target, tmp / "BaoCao.docx"]
        files += [tmp / "BangSoLieu.xlsx"]
        subprocess.run(
            [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp}/profile",
             "--convert-to", "pdf", "--outdir", str(tmp / "pdf"), *map(str, files)],
            check=True, capture_output=True,
        )  # fmt: skip
        for pdf in sorted((tmp / "pdf").glob("*.pdf")):  # the page budget, as measured
            pages = read_pages(pdf)
            print(f"{pdf.stem}: {len(pages)} pages", dict(pages_per_sheet(pages)))
        for stem, wanted, name in WANTED:
            pdf = tmp / "pdf" / f"{stem}.pdf"
            page = _page(pdf, wanted)
            subprocess.run(
                ["pdftoppm", "-png", "-r", str(args.dpi), "-f", str(page), "-l", str(page),
                 "-singlefile", str(pdf), str(out / name)],
                check=True,
            )  # fmt: skip
            print(out / f"{name}.png", f"({stem}, page {page})")


if __name__ == "__main__":
    main()
