"""Provincial workbook + report.yaml -> ReportDoc (sentences, tables, charts, annex)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from xlsaddin.report.model import ReportDoc, ReportImage, ReportSection, ReportTable
from xlsaddin.report.source import Source
from xlsaddin.report.spec import ForEach, OneOf, ReportSpec, SectionSpec
from xlsaddin.report.templates import Context, Figure, Missing, fill
from xlsaddin.spec.models import Mappings
from xlsaddin.text.numbers import format_vi


@dataclass
class Built:
    doc: ReportDoc
    context: Context
    skipped: list[str] = field(default_factory=list)  # sentences left out (no value)


def vi_date(day: dt.date) -> str:
    """15/12/2025 (administrative style keeps the leading zeros in tables and sentences)."""
    return f"{day:%d/%m/%Y}"


def _fields(source: Source, mappings: Mappings) -> dict[str, str]:
    fields = {
        "units_total": str(source.units_total),
        "closing_date": vi_date(source.closing_date),
        "period": source.info.get("period_label", ""),
    }
    for spec in mappings.appendices:
        if isinstance(spec.table.rows, tuple):
            count = sum(1 for r in spec.table.rows if r.kind == "input")
            fields[f"rows.{spec.id}"] = str(count)
    return fields


def _sentences(section: SectionSpec, ctx: Context, skipped: list[str]) -> list[str]:
    out: list[str] = []
    for item in section.sentences:
        if isinstance(item, str):
            try:
                out.append(fill(item, ctx))
            except Missing as exc:
                skipped.append(f"{item} (thiếu {exc})")
        elif isinstance(item, OneOf):
            for option in item.one_of:
                try:
                    out.append(fill(option, ctx))
                    break
                except Missing:
                    continue
            else:
                skipped.append(str(item.one_of[-1]))
        elif isinstance(item, ForEach):
            out.extend(_for_each(item, ctx, skipped))
    return out


def _for_each(item: ForEach, ctx: Context, skipped: list[str]) -> list[str]:
    prefix = item.for_each.removesuffix("*")
    out = []
    for key, fig in ctx.figures.items():
        if not key.startswith(prefix) or not fig.value:
            continue
        row = fig.label.split(":")[0].strip()
        local = {
            "value": _plain(fig),
            "row": row[:1].lower() + row[1:],
            "names": fig.names,
        }
        try:
            out.append(fill(item.text, ctx, local))
            ctx.used.append((f"{{{key}}}", local["value"], fig))
        except Missing as exc:
            skipped.append(f"{item.text} (thiếu {exc})")
    return out


def _plain(fig: Figure) -> str:
    return format_vi(fig.value or 0, fig.decimals) + ("%" if fig.percent else "")


def _table(
    number: int, spec_section: SectionSpec, ctx: Context, units_total: int, submitted: str
) -> ReportTable | None:
    table = spec_section.table
    if table is None:
        return None
    figures: list[Figure] = []
    for key in table.indicators:
        if key.endswith(".*"):
            prefix = key[:-1]
            figures += [f for k, f in ctx.figures.items() if k.startswith(prefix)]
        elif key in ctx.figures:
            figures.append(ctx.figures[key])
    rows = []
    for fig in figures:
        # per-row figures ("met.vcs") are labelled "<row>: <indicator>"; the table shows the row
        label = fig.label.split(": ")[0] if "." in fig.key and ": " in fig.label else fig.label
        value = _plain(fig) if fig.value is not None else "—"
        if "/" not in value and fig.unit == "đơn vị":
            value = f"{value}/{units_total}"
        if fig.value is not None:
            ctx.used.append((f"table:{fig.key}", value.split("/")[0], fig))
        cells = [label, value, fig.unit, fig.change][: len(table.headers)]
        rows.append(cells)
    widths = {2: [12.5, 4.0], 4: [7.0, 3.0, 2.5, 4.0]}.get(len(table.headers))
    return ReportTable(
        number=number,
        title=table.title,
        headers=list(table.headers),
        rows=rows,
        source=f"Nguồn: tổng hợp từ báo cáo của {submitted} xã, phường, đặc khu.",
        widths_cm=widths,
        numeric_columns=[1],
    )


def _annex(source: Source, mappings: Mappings, start: int) -> list[ReportSection]:
    header, *units = source.status_rows
    codes = [str(h) for h in header[4 : 4 + len(mappings.appendices)]]
    missing_rows: list[list[str]] = []
    for row in units:
        statuses = row[4 : 4 + len(codes)]
        missing = [c for c, s in zip(codes, statuses, strict=True) if s == "Chưa nộp"]
        late = [c for c, s in zip(codes, statuses, strict=True) if s == "Nộp muộn"]
        if missing or late:
            missing_rows.append(
                [str(len(missing_rows) + 1), str(row[2]), ", ".join(missing), ", ".join(late)]
            )
    units_table = ReportTable(
        number=start,
        title="Các xã, phường, đặc khu chưa nộp hoặc nộp muộn báo cáo",
        headers=["STT", "Đơn vị", "Chưa nộp", "Nộp muộn"],
        rows=missing_rows,
        widths_cm=[1.2, 6.3, 4.5, 4.5],
        numeric_columns=[0],
    )
    _header, *tasks = source.task_rows
    task_rows: list[list[str]] = []
    for t in tasks:
        deadline = t[5]
        deadline_text = vi_date(deadline) if isinstance(deadline, dt.date) else str(deadline or "")
        days = t[9]
        task_rows.append(
            [
                str(len(task_rows) + 1),
                str(t[2]),
                str(t[3]),
                deadline_text,
                str(t[8]),
                str(int(days)) if isinstance(days, (int, float)) else "",
            ]
        )
    tasks_table = ReportTable(
        number=start + 1,
        title="Nhiệm vụ quá hạn và hoàn thành muộn",
        headers=["STT", "Đơn vị", "Nhiệm vụ", "Thời hạn", "Tình trạng", "Số ngày"],
        rows=task_rows,
        widths_cm=[1.0, 3.2, 6.3, 2.2, 2.3, 1.5],
        numeric_columns=[0, 5],
        source=f"Số liệu chốt đến ngày {vi_date(source.closing_date)}.",
    )
    return [
        ReportSection(heading="1. Tình hình nộp báo cáo", tables=[units_table]),
        ReportSection(heading="2. Nhiệm vụ quá hạn, hoàn thành muộn", tables=[tasks_table]),
    ]


def build_report(source: Source, spec: ReportSpec, mappings: Mappings, images: Path) -> Built:
    from xlsaddin.report.charts import draw, drawable, pick  # matplotlib: only when drawing

    ctx = Context(figures=source.figures, fields=_fields(source, mappings))
    skipped: list[str] = []
    sections = []
    table_no = 1
    chart_no = 1
    for section in spec.sections:
        submitted_fig = ctx.figures.get(f"{section.appendix}._submitted")
        submitted = (
            f"{int(submitted_fig.value)}/{source.units_total}"
            if submitted_fig and submitted_fig.value is not None
            else ""
        )
        out = ReportSection(heading=section.heading, paragraphs=_sentences(section, ctx, skipped))
        table = _table(table_no, section, ctx, source.units_total, submitted)
        if table is not None:
            out.tables.append(table)
            table_no += 1
        try:
            appendix = mappings.appendix(section.appendix)
        except KeyError:
            appendix = None
        for chart in appendix.charts if appendix else ():
            shown = pick(dict(ctx.figures), section.appendix, chart.indicators)
            if not drawable(chart, shown):
                continue
            path = draw(chart, shown, images / f"bieu_do_{chart_no}.png")
            out.images.append(ReportImage(path, f"Biểu đồ {chart_no}. {chart.title}"))
            chart_no += 1
        sections.append(out)
    today = dt.date.today()
    doc = ReportDoc(
        authority=spec.authority,
        issuer=spec.issuer,
        number=spec.number,
        place_date=f"{spec.place}, ngày      tháng {today.month} năm {today.year}",
        title=spec.title,
        subtitle=fill(spec.subtitle, ctx),
        intro=[fill(p, ctx) for p in spec.intro],
        sections=sections,
        annex_title=spec.annex_title,
        annex=_annex(source, mappings, table_no),
        recipients=[f"- {r};" for r in spec.recipients],
        signer_role=spec.signer_role,
        signer_title=spec.signer_title,
        signer_name=spec.signer_name,
    )
    return Built(doc, ctx, skipped)


def summary_tables(source: Source, spec: ReportSpec, mappings: Mappings) -> list[ReportTable]:
    """The report's numbered tables alone (for the provincial workbook's "Bảng N" sheets)."""
    ctx = Context(figures=source.figures, fields=_fields(source, mappings))
    tables: list[ReportTable] = []
    for section in spec.sections:
        submitted_fig = ctx.figures.get(f"{section.appendix}._submitted")
        submitted = (
            f"{int(submitted_fig.value)}/{source.units_total}"
            if submitted_fig and submitted_fig.value is not None
            else ""
        )
        table = _table(len(tables) + 1, section, ctx, source.units_total, submitted)
        if table is not None:
            tables.append(table)
    for annex in _annex(source, mappings, len(tables) + 1):
        tables.extend(annex.tables)
    return tables
