"""Provincial workbook -> Word report (tables, sentences, charts) and print-ready tables."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from xlsaddin.consolidate.journal import settle
from xlsaddin.report.build import Built, build_report
from xlsaddin.report.docx_writer import write_docx
from xlsaddin.report.source import read_source
from xlsaddin.report.spec import load_report_spec
from xlsaddin.report.tables_xlsx import write_tables_xlsx
from xlsaddin.safe_output import atomic_write, choose_target
from xlsaddin.spec.models import Mappings


@dataclass(frozen=True)
class ReportResult:
    docx: Path
    xlsx: Path | None
    built: Built


def make_report(
    workbook: Path, mappings: Mappings, docx: Path, xlsx: Path | None = None
) -> ReportResult:
    settle([workbook.parent])  # a consolidation killed while publishing: complete it first
    source = read_source(workbook, mappings)
    spec = load_report_spec(mappings.root)
    docx_target, _ = choose_target(docx)
    with tempfile.TemporaryDirectory(prefix="xlsaddin-report-") as tmp:
        built = build_report(source, spec, mappings, Path(tmp))
        atomic_write(docx_target, lambda p: write_docx(built.doc, p))
    xlsx_target = None
    if xlsx is not None:
        xlsx_target, _ = choose_target(xlsx)
        font = mappings.project.font_name
        atomic_write(xlsx_target, lambda p: write_tables_xlsx(built.doc, p, font))
    return ReportResult(docx_target, xlsx_target, built)


__all__ = ["ReportResult", "make_report"]
