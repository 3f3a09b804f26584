"""Provincial workbook + report.yaml -> ReportDoc (sentences, tables, charts, annex)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from xlsaddin.report.model import ReportDoc, ReportImage, ReportSection, ReportTable
from xlsaddin.report.reconcile import Disagree, check
from xlsaddin.report.source import Source
from xlsaddin.report.spec import ForEach, ReportSpec, SectionSpec
from xlsaddin.report.templates import Context, Figure, Missing, fill
from xlsaddin.spec.models import Mappings
from xlsaddin.text.numbers import format_vi


@dataclass
class Built:
    doc: ReportDoc
    context: Context
    skipped: list[str] = field(default_factory=list)  # sentences left out (no value)
    # sentences and tables refused because their figures do not add up (Vietnamese reasons)
    refused: list[str] = field(default_factory=list)


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


@dataclass
class _Writer:
    """Fills sentences, refusing any whose figures do not add up (see ``reconcile``)."""

    ctx: Context
    mappings: Mappings
    skipped: list[str]
    refused: list[str]

    def checked(self, template: str) -> str:
        """The filled sentence; :class:`Missing` or :class:`Disagree` when it cannot be."""
        units_total = int(self.ctx.fields.get("units_total", "0") or 0)
        mark = len(self.ctx.used)
        text = fill(template, self.ctx)
        try:
            check((n for n, _ in self.ctx.last), self.ctx.figures, units_total, self.mappings)
        except Disagree as exc:
            del self.ctx.used[mark:]
            raise Disagree(f'{exc}: "{text}"') from None
        return text

    def sentences(self, section: SectionSpec) -> list[str]:
        out: list[str] = []
        for item in section.sentences:
            if isinstance(item, ForEach):
                out.extend(_for_each(item, self.ctx, self.skipped))
                continue
            options = (item,) if isinstance(item, str) else item.one_of
            missing: list[str] = []
            disagree: list[str] = []
            for option in options:
                try:
                    out.append(self.checked(option))
                    break
                except Missing as exc:
                    missing.append(f"thiếu {exc}")
                except Disagree as exc:
                    disagree.append(str(exc))
            else:  # nothing written: a refusal is said loudly, a missing figure quietly
                if disagree:
                    self.refused.extend(disagree)
                else:
                    self.skipped.append(f"{options[-1]} ({missing[-1]})")
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


def _excluded_note(spec: ReportSpec, ctx: Context, appendix: str) -> str:
    fig = ctx.figures.get(f"{appendix}._excluded")
    if fig is None or not fig.value:
        return ""
    note = spec.excluded_note.replace("{count}", _plain(fig))
    return "; " + note.replace("{names}", fig.names)


def _table(
    number: int,
    spec_section: SectionSpec,
    ctx: Context,
    units_total: int,
    submitted: str,
    spec: ReportSpec,
    mappings: Mappings,
) -> ReportTable | None:
    """The section's table; :class:`Disagree` when it shows a breakdown that fails."""
    table = spec_section.table
    if table is None:
        return None
    figures: list[Figure] = []
    keys: list[str] = []
    for key in table.indicators:
        if key.endswith(".*"):
            prefix = key[:-1]
            found = [(k, f) for k, f in ctx.figures.items() if k.startswith(prefix)]
            keys += [k for k, _ in found]
            figures += [f for _, f in found]
        elif key in ctx.figures:
            keys.append(key)
            figures.append(ctx.figures[key])
    note = _excluded_note(spec, ctx, spec_section.appendix)
    stated = keys + ([f"{spec_section.appendix}._excluded"] if note else [])
    try:
        check(stated, ctx.figures, units_total, mappings)
    except Disagree as exc:
        raise Disagree(f'{exc}: bảng "{table.title}"') from None
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
        source=f"Nguồn: tổng hợp từ báo cáo của {submitted} xã, phường, đặc khu{note}.",
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
    from xlsaddin.report.charts import draw, pick  # matplotlib: import only when drawing

    ctx = Context(figures=source.figures, fields=_fields(source, mappings))
    skipped: list[str] = []
    refused: list[str] = []
    writer = _Writer(ctx, mappings, skipped, refused)
    sections = []
    table_no = 1
    chart_no = 1
    for section in spec.sections:
        submitted = _submitted(ctx, section, source.units_total)
        if submitted is None:  # nobody returned it: no figures, no table, no chart
            code = _code(mappings, section.appendix)
            sections.append(
                ReportSection(
                    heading=section.heading, paragraphs=[spec.no_data.replace("{code}", code)]
                )
            )
            continue
        out = ReportSection(heading=section.heading, paragraphs=writer.sentences(section))
        try:
            table = _table(table_no, section, ctx, source.units_total, submitted, spec, mappings)
        except Disagree as exc:
            refused.append(str(exc))
            table = None
        if table is not None:
            out.tables.append(table)
            table_no += 1
        try:
            appendix = mappings.appendix(section.appendix)
        except KeyError:
            appendix = None
        for chart in appendix.charts if appendix else ():
            shown = pick(dict(ctx.figures), section.appendix, chart.indicators)
            if not any(f.value for f in shown):  # no data (or only zeros): left out
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
    return Built(doc, ctx, skipped, refused)


def _submitted(ctx: Context, section: SectionSpec, units_total: int) -> str | None:
    """ "93/96", or None when no unit returned the section's appendix."""
    fig = ctx.figures.get(f"{section.appendix}._submitted")
    if fig is None or fig.value is None:
        return ""
    if not fig.value:
        return None
    return f"{int(fig.value)}/{units_total}"


def _code(mappings: Mappings, appendix: str) -> str:
    try:
        return mappings.appendix(appendix).code
    except KeyError:
        return appendix


def summary_tables(source: Source, spec: ReportSpec, mappings: Mappings) -> list[ReportTable]:
    """The report's numbered tables alone (for the provincial workbook's "Bảng N" sheets)."""
    ctx = Context(figures=source.figures, fields=_fields(source, mappings))
    tables: list[ReportTable] = []
    for section in spec.sections:
        submitted = _submitted(ctx, section, source.units_total)
        if submitted is None:
            continue
        try:
            table = _table(
                len(tables) + 1, section, ctx, source.units_total, submitted, spec, mappings
            )
        except Disagree:
            table = None  # 'xlsaddin report' says why
        if table is not None:
            tables.append(table)
    for annex in _annex(source, mappings, len(tables) + 1):
        tables.extend(annex.tables)
    return tables
