"""Provincial workbook + report.yaml -> ReportDoc (sentences, tables, charts, annex)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from xlsaddin.report.model import (
    ReportAnnex,
    ReportDoc,
    ReportImage,
    ReportSection,
    ReportTable,
)
from xlsaddin.report.reconcile import Disagree, check
from xlsaddin.report.source import Source
from xlsaddin.report.spec import ForEach, ReportSpec, RequestSpec, SectionSpec
from xlsaddin.report.templates import Context, Figure, Missing, fill, names_mid_sentence
from xlsaddin.report.texts import text_annexes
from xlsaddin.spec.models import Mappings
from xlsaddin.text.dates import DATE_NUM_FORMAT, format_date_vi, place_date_vi
from xlsaddin.text.numbers import format_vi, roman

BLANK = "…"  # a part of the text the officer fills in by hand
ANNEX_UNITS = "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC XÃ, PHƯỜNG, ĐẶC KHU"
ANNEX_TASKS = "NHIỆM VỤ QUÁ HẠN VÀ HOÀN THÀNH MUỘN"


@dataclass(frozen=True)
class ReportOptions:
    """What the officer gives on the command line; each one overrides ``report.yaml``."""

    signer_name: str | None = None
    request: str | None = None  # "Công văn số 2045-CV/TU ngày 05/9/2025 của ..."
    report_date: dt.date | None = None


@dataclass
class Built:
    doc: ReportDoc
    context: Context
    skipped: list[str] = field(default_factory=list)  # sentences left out (no value)
    # what the officer still has to fill in before signing (the report is written anyway)
    warnings: list[str] = field(default_factory=list)
    # sentences and tables refused because their figures do not add up (Vietnamese reasons)
    refused: list[str] = field(default_factory=list)


def vi_date(day: dt.date) -> str:
    """04/9/2025: the official style of the seeds (day two digits, month as is)."""
    return format_date_vi(day)


def _request_text(request: RequestSpec | str | None) -> str | None:
    if request is None:
        return None
    if isinstance(request, str):
        return request.strip() or None
    text = f"{request.kind} số {request.number} ngày {vi_date(request.date)} của {request.issuer}"
    return f"{text} về việc {request.about}" if request.about else text


@dataclass(frozen=True)
class _Front:
    """The parts of the document the officer must supply, resolved with their warnings."""

    request: str
    place_date: str
    report_date_text: str  # for "(Kèm theo Báo cáo số ... ngày ...)"
    signer_name: str
    warnings: list[str]


def _front(spec: ReportSpec, options: ReportOptions, today: dt.date) -> _Front:
    warnings = []
    request = options.request or _request_text(spec.request)
    if not request:
        warnings.append(
            "Chưa có văn bản yêu cầu báo cáo: câu mở đầu ghi tạm "
            f'"Công văn số {BLANK} ngày {BLANK} của {BLANK}". Điền mục "request" trong '
            "report.yaml của thư mục cấu hình hoặc dùng 'xlsaddin report … --request'."
        )
        request = f"Công văn số {BLANK} ngày {BLANK} của {BLANK}"
    day = options.report_date or spec.report_date
    if day is None:
        warnings.append(
            "Chưa có ngày báo cáo: để trống ngày để điền khi ký. Điền mục "
            '"report_date" trong report.yaml của thư mục cấu hình hoặc dùng '
            "'xlsaddin report … --date'."
        )
        day_text = f"{BLANK}/{today.month}/{today.year}"
    else:
        day_text = vi_date(day)
    signer = (options.signer_name if options.signer_name is not None else spec.signer_name).strip()
    if not signer:
        warnings.append(
            "Chưa có họ tên người ký: dòng họ tên dưới chữ ký để trống. Điền mục "
            '"signer_name" trong report.yaml của thư mục cấu hình hoặc dùng '
            "'xlsaddin report … --signer'."
        )
    return _Front(request, place_date_vi(spec.place, day, today=today), day_text, signer, warnings)


def _annex_note(spec: ReportSpec, front: _Front) -> str:
    symbol = spec.number.split(":", 1)[-1].strip()
    number = f"{BLANK}{symbol}" if symbol.startswith("/") else symbol or BLANK
    issuer = spec.issuer_name or spec.issuer
    return f"(Kèm theo Báo cáo số {number} ngày {front.report_date_text} của {issuer})"


def _recipients(lines: tuple[str, ...]) -> list[str]:
    """ "- A;" ... "- Lưu: VT, CĐS." (Decree 30: every line ends with ";", the last with ".")."""
    bare = [line.strip().lstrip("-–+ ").rstrip(" ;.,") for line in lines]
    bare = [b for b in bare if b]
    return [f"- {b}{'.' if i == len(bare) - 1 else ';'}" for i, b in enumerate(bare)]


def _closing(text: str) -> str:
    """The closing sentence ends with "./." (the end-of-text mark of Decree 30)."""
    stripped = text.strip()
    if not stripped or stripped.endswith("./."):
        return stripped
    return stripped.rstrip(" .;,") + "./."


def _numbered(sections: tuple[SectionSpec, ...]) -> list[str]:
    """Headings numbered I./1./a) by level: 1. restarts in each part, a) under each 1."""
    counters = [0, 0, 0]
    out = []
    for section in sections:
        level = section.level
        counters[level - 1] += 1
        for deeper in range(level, 3):
            counters[deeper] = 0
        n = counters[level - 1]
        if level == 1:
            label = f"{roman(n)}."
        elif level == 2:
            label = f"{n}."
        else:
            label = f"{chr(ord('a') + n - 1)})"
        out.append(f"{label} {section.heading}")
    return out


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
            "names": names_mid_sentence(fig.names),
        }
        try:
            out.append(fill(item.text, ctx, local))
            ctx.used.append((f"{{{key}}}", local["value"], fig))
        except Missing as exc:
            skipped.append(f"{item.text} (thiếu {exc})")
    return out


def _plain(fig: Figure) -> str:
    return format_vi(fig.value or 0, fig.decimals) + ("%" if fig.percent else "")


def excel_format(fig: Figure, units_total: int | None = None) -> str:
    """The Excel display format that shows ``fig`` as the report writes it."""
    digits = "0" if fig.decimals == 0 else "0." + "0" * fig.decimals
    if units_total is not None:
        return f'{digits}"/{units_total}"'
    if fig.percent:
        return f'{digits}"%"'
    return "#,##" + digits


def _excluded_note(spec: ReportSpec, ctx: Context, appendix: str) -> str:
    fig = ctx.figures.get(f"{appendix}._excluded")
    if fig is None or not fig.value:
        return ""
    note = spec.excluded_note.replace("{count}", _plain(fig))
    return "; " + note.replace("{names}", names_mid_sentence(fig.names))


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
    note = _excluded_note(spec, ctx, spec_section.appendix or "")
    stated = keys + ([f"{spec_section.appendix}._excluded"] if note else [])
    try:
        check(stated, ctx.figures, units_total, mappings)
    except Disagree as exc:
        raise Disagree(f'{exc}: bảng "{table.title}"') from None
    headers = list(table.headers)
    if len(headers) >= 4 and not any(f.change for f in figures):
        headers = headers[:3]  # no previous period to compare with: no empty column
    rows: list[list[str]] = []
    numbers: dict[tuple[int, int], tuple[float | dt.date, str]] = {}
    for fig in figures:
        # per-row figures ("met.vcs") are labelled "<row>: <indicator>"; the table shows the row
        label = fig.label.split(": ")[0] if "." in fig.key and ": " in fig.label else fig.label
        value = _plain(fig) if fig.value is not None else "—"
        of_total = "/" not in value and fig.unit == "đơn vị"
        if of_total:
            value = f"{value}/{units_total}"
        if fig.value is not None:
            ctx.used.append((f"table:{fig.key}", value.split("/")[0], fig))
            numbers[(len(rows), 1)] = (
                fig.value,
                excel_format(fig, units_total if of_total else None),
            )
        cells = [label, value, fig.unit, fig.change][: len(headers)]
        rows.append(cells)
    widths = {2: [12.5, 4.0], 3: [9.5, 3.5, 3.5], 4: [7.0, 3.0, 2.5, 4.0]}.get(len(headers))
    return ReportTable(
        number=number,
        title=table.title,
        headers=headers,
        rows=rows,
        source=f"Nguồn: tổng hợp từ báo cáo của {submitted} xã, phường, đặc khu{note}.",
        widths_cm=widths,
        numeric_columns=[1],
        numbers=numbers,
    )


def _annex(
    source: Source, mappings: Mappings, start: int, word: str = "Phụ lục"
) -> list[ReportAnnex]:
    header, *units = source.status_rows
    codes = [str(h) for h in header[4 : 4 + len(mappings.appendices)]]
    missing_rows: list[list[str]] = []
    units_numbers: dict[tuple[int, int], tuple[float | dt.date, str]] = {}
    for row in units:
        statuses = row[4 : 4 + len(codes)]
        missing = [c for c, s in zip(codes, statuses, strict=True) if s == "Chưa nộp"]
        late = [c for c, s in zip(codes, statuses, strict=True) if s == "Nộp muộn"]
        if missing or late:
            units_numbers[(len(missing_rows), 0)] = (len(missing_rows) + 1, "0")
            missing_rows.append(
                [str(len(missing_rows) + 1), str(row[2]), ", ".join(missing), ", ".join(late)]
            )
    units_table = ReportTable(
        number=start,
        title="Các xã, phường, đặc khu chưa nộp hoặc nộp muộn báo cáo",
        headers=["STT", "Đơn vị", "Chưa nộp", "Nộp muộn"],
        rows=missing_rows,
        widths_cm=[1.4, 6.1, 4.5, 4.5],
        numeric_columns=[0],
        source=f"Số liệu chốt đến ngày {vi_date(source.closing_date)}.",
        numbers=units_numbers,
    )
    _header, *tasks = source.task_rows
    task_rows: list[list[str]] = []
    task_numbers: dict[tuple[int, int], tuple[float | dt.date, str]] = {}
    for t in tasks:
        deadline = t[5]
        deadline_text = vi_date(deadline) if isinstance(deadline, dt.date) else str(deadline or "")
        days = t[9]
        n = len(task_rows)
        task_numbers[(n, 0)] = (n + 1, "0")
        if isinstance(deadline, dt.date):
            task_numbers[(n, 3)] = (deadline, DATE_NUM_FORMAT)
        if isinstance(days, (int, float)):
            task_numbers[(n, 5)] = (int(days), "0")
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
        # landscape (25,2 cm) in 11 pt: a task name mostly on one line; "30/11/2025" needs
        # 2,4 cm with the cells' margins, "STT" 1,3 cm
        widths_cm=[1.3, 4.2, 12.3, 2.4, 3.4, 1.6],
        font_pt=11.0,
        numeric_columns=[0, 5],
        source=f"Số liệu chốt đến ngày {vi_date(source.closing_date)}.",
        numbers=task_numbers,
    )
    return [
        ReportAnnex(label=f"{word} I", title=ANNEX_UNITS, tables=[units_table]),
        ReportAnnex(label=f"{word} II", title=ANNEX_TASKS, tables=[tasks_table], landscape=True),
    ]


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


def build_report(
    source: Source,
    spec: ReportSpec,
    mappings: Mappings,
    images: Path,
    options: ReportOptions | None = None,
    *,
    today: dt.date | None = None,
) -> Built:
    from xlsaddin.report.charts import draw, drawable, pick  # matplotlib: only when drawing

    front = _front(spec, options or ReportOptions(), today or dt.date.today())
    fields = _fields(source, mappings)
    fields["request"] = front.request
    fields["issuer_name"] = spec.issuer_name or spec.issuer
    fields["annex.units"] = f"{spec.annex_title} I"
    fields["annex.tasks"] = f"{spec.annex_title} II"
    for n, text_annex in enumerate(spec.text_annexes, start=3):  # after I and II
        fields[f"annex.{text_annex.appendix}"] = f"{spec.annex_title} {roman(n)}"
    ctx = Context(figures=source.figures, fields=fields)
    skipped: list[str] = []
    refused: list[str] = []
    writer = _Writer(ctx, mappings, skipped, refused)
    sections = []
    table_no = 1
    chart_no = 1
    for section, heading in zip(spec.sections, _numbered(spec.sections), strict=True):
        submitted = _submitted(ctx, section, source.units_total)
        if submitted is None:  # nobody returned it: no figures, no table, no chart
            code = _code(mappings, section.appendix or "")
            no_data = spec.no_data.replace("{code}", code)
            sections.append(
                ReportSection(heading=heading, paragraphs=[no_data], level=section.level)
            )
            continue
        out = ReportSection(
            heading=heading, paragraphs=writer.sentences(section), level=section.level
        )
        if section.appendix and not out.paragraphs and section.table is None:
            out.paragraphs.append(spec.nothing)  # the outline: an empty item says "không"
        try:
            table = _table(table_no, section, ctx, source.units_total, submitted, spec, mappings)
        except Disagree as exc:
            refused.append(str(exc))
            table = None
        if table is not None:
            out.tables.append(table)
            table_no += 1
        try:
            appendix = mappings.appendix(section.appendix) if section.appendix else None
        except KeyError:
            appendix = None
        for chart in appendix.charts if appendix else ():
            shown = pick(dict(ctx.figures), section.appendix or "", chart.indicators)
            if not drawable(chart, shown):
                continue
            path = draw(chart, shown, images / f"bieu_do_{chart_no}.png")
            out.images.append(ReportImage(path, f"Biểu đồ {chart_no}. {chart.title}"))
            chart_no += 1
        sections.append(out)
    doc = ReportDoc(
        authority=spec.authority,
        issuer=spec.issuer,
        number=spec.number,
        place_date=front.place_date,
        title=spec.title,
        subtitle=fill(spec.subtitle, ctx),
        intro=[fill(p, ctx) for p in spec.intro],
        sections=sections,
        closing=_closing(fill(spec.closing, ctx)),
        annex=[
            *(annexes := _annex(source, mappings, table_no, spec.annex_title)),
            *text_annexes(
                source,
                spec,
                mappings,
                first_number=len(annexes) + 1,
                first_table=table_no + sum(len(a.tables) for a in annexes),
            ),
        ],
        annex_note=_annex_note(spec, front),
        recipients=_recipients(spec.recipients),
        signer_role=spec.signer_role,
        signer_title=spec.signer_title,
        signer_name=front.signer_name,
    )
    return Built(doc, ctx, skipped, front.warnings, refused)


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
