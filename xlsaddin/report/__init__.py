"""Provincial workbook -> Word report (tables, sentences, charts) and print-ready tables."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xlsaddin.safe_output import atomic_write_all, choose_target

if TYPE_CHECKING:
    from xlsaddin.report.build import Built, ReportOptions
    from xlsaddin.spec.models import Mappings


@dataclass(frozen=True)
class ReportResult:
    docx: Path
    xlsx: Path | None
    built: Built


def make_report(
    workbook: Path,
    mappings: Mappings,
    docx: Path,
    xlsx: Path | None = None,
    options: ReportOptions | None = None,
) -> ReportResult:
    """Write the report; ``result.built.warnings`` says what the officer must still fill in."""
    # Imported here: python-docx is ~0.1 s to import, and the provincial workbook writer
    # (xlsaddin.report.province_workbook, on every consolidation) lives in this package.
    from xlsaddin.consolidate.journal import settle
    from xlsaddin.core.failures import check_outputs
    from xlsaddin.report.build import build_report
    from xlsaddin.report.docx_writer import write_docx
    from xlsaddin.report.source import read_source
    from xlsaddin.report.spec import load_report_spec
    from xlsaddin.report.tables_xlsx import print_texts, write_tables_xlsx
    from xlsaddin.report.texts import sheet_names
    from xlsaddin.text.dates import format_date_vi

    check_outputs([(docx, ".docx"), (xlsx, ".xlsx")], inputs=[workbook])
    settle([workbook.parent])  # a consolidation killed while publishing: complete it first
    spec = load_report_spec(mappings.root)
    source = read_source(workbook, mappings, sheet_names(spec, mappings))
    docx_target, _ = choose_target(docx)
    xlsx_target = choose_target(xlsx)[0] if xlsx is not None else None
    with tempfile.TemporaryDirectory(prefix="xlsaddin-report-") as tmp:
        built = build_report(source, spec, mappings, Path(tmp), options)
        outputs: list[tuple[Path, Callable[[Path], object]]] = [
            (docx_target, lambda p: write_docx(built.doc, p))
        ]
        if xlsx_target is not None:
            font = mappings.project.font_name
            subtitle, footer = print_texts(
                source.info.get("period_label", ""), format_date_vi(source.closing_date)
            )
            outputs.append(
                (
                    xlsx_target,
                    lambda p: write_tables_xlsx(
                        built.doc, p, font, subtitle=subtitle, footer=footer
                    ),
                )
            )
        atomic_write_all(outputs)  # both files or neither
    return ReportResult(docx_target, xlsx_target, built)


__all__ = ["ReportResult", "make_report"]
