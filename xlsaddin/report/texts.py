"""The communes' own words, compiled: a phụ lục per ``text_annexes`` entry of report.yaml.

What communes write in free-text cells (difficulties, remedies, proposals, comments,
reasons) is the raw material the province summarises for outline items 2, 3 and 5.
Nothing is paraphrased: answers are grouped by outline item (the appendix's fixed
rows), identical answers are merged (compared after NFC, case and spacing), and each
answer lists the units that gave it. Units that wrote nothing, or "không", are one
line "Không". Units that did not return the appendix are not listed here (they are
in Phụ lục I). Texts come from the provincial workbook's appendix sheet, as written
there (data, never markup).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlsaddin.consolidate.submissions import STATUS_VI
from xlsaddin.core.sheets import APPENDIX_PREFIX, appendix_sheet
from xlsaddin.report.model import ReportAnnex, ReportTable
from xlsaddin.report.source import Source
from xlsaddin.report.spec import ReportSpec, TextAnnexSpec
from xlsaddin.spec.models import AppendixSpec, Mappings
from xlsaddin.text.answers import normalised, says_nothing
from xlsaddin.text.numbers import roman

NOTHING = "Không"
MISSING = STATUS_VI["missing"]  # "Chưa nộp": the status of a unit that returned nothing
NAMED_MAX = 10  # "Không": the units are named up to this many, counted beyond
STT_CM = 1.3  # "STT" in bold on one line (1.0 cm split it), as in Phụ lục II


@dataclass
class _Group:
    texts: tuple[str, ...]
    units: list[str] = field(default_factory=list)
    variants: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def shown(self) -> tuple[str, ...]:
        """The wording shown for merged answers: the one most units wrote; on a tie the
        one with fewest capitals ("ĐƯỜNG TRUYỀN …" gives way to "Đường truyền …")."""
        if not self.variants:
            return self.texts
        return min(
            self.variants,
            key=lambda v: (-self.variants[v], sum(ch.isupper() for t in v for ch in t), v),
        )


def sheet_names(spec: ReportSpec, mappings: Mappings) -> tuple[str, ...]:
    """The appendix sheets the text annexes read."""
    out = []
    for annex in spec.text_annexes:
        try:
            appendix = mappings.appendix(annex.appendix)
        except KeyError:
            continue
        out.append(appendix_sheet(appendix.code, appendix.sheet_name))
    return tuple(out)


def _groups(
    rows: Sequence[Sequence[Any]],
    positions: dict[str, int],
    annex: TextAnnexSpec,
    columns: Sequence[str],
) -> list[_Group]:
    """Answers of the given rows: merged when identical, each unit named once per answer;
    then one line "Không" for the units that returned the appendix and gave no answer here
    (named when they are few, counted otherwise: a list of 80 names says nothing)."""
    groups: dict[tuple[str, ...], _Group] = {}
    returned: list[str] = []
    for row in rows:
        unit = str(row[positions["unit"]] or "").strip()
        if _missing(row, positions):
            continue
        if unit not in returned:
            returned.append(unit)
        cells = [row[positions[c]] if positions[c] < len(row) else None for c in columns]
        texts = tuple("" if v is None else str(v).strip() for v in cells)
        wanted = all(
            normalised(str(row[positions[k]] or "")) == normalised(v)
            for k, v in (annex.when or {}).items()
        )
        if not wanted or all(says_nothing(t) for t in texts):
            continue
        key = tuple(normalised(t) for t in texts)
        group = groups.setdefault(key, _Group(texts))
        if unit not in group.units:
            group.units.append(unit)
            group.variants[texts] += 1
    for group in groups.values():
        group.texts = group.shown()
    ordered = sorted(
        groups.values(), key=lambda g: (-len(g.units), tuple(map(normalised, g.texts)))
    )
    answered = {u for g in ordered for u in g.units}
    silent = [u for u in returned if u not in answered]
    if not silent:
        return ordered
    nothing = _Group((NOTHING, *([""] * (len(columns) - 1))))
    if len(silent) <= NAMED_MAX:
        nothing.units = silent
    else:
        nothing.units = [f"{len(silent)} đơn vị còn lại" if ordered else f"{len(silent)} đơn vị"]
    return [*ordered, nothing]


_INSTRUCTION = re.compile(r"\s*\(ghi [^)]*\)\s*$")


def _heading(label: str) -> str:
    """A form's column label as a compiled table's heading: without the instruction to
    the commune ("Nhận xét, kiến nghị (ghi "không" nếu không có)" -> "Nhận xét, kiến nghị")."""
    return _INSTRUCTION.sub("", label)


def _missing(row: Sequence[Any], positions: dict[str, int]) -> bool:
    """The unit's block says it did not return the appendix (status "Chưa nộp")."""
    return str(row[positions["status"]] or "").startswith(MISSING)


def _positions(header: Sequence[Any], spec: AppendixSpec, keys: Sequence[str]) -> dict[str, int]:
    """Where the unit, its submission status, the outline item and the wanted columns are.

    The appendix's own columns are looked up after the sheet's first columns only: a form
    column may carry the same heading as one of them ("Tình trạng" in PL05)."""
    titles = [str(h) for h in header]
    unit, status = APPENDIX_PREFIX.index("Tên đơn vị"), APPENDIX_PREFIX.index("Tình trạng nộp")
    out = {"unit": unit, "status": status}
    first = len(APPENDIX_PREFIX)
    if first < len(titles) and titles[first] == "Nội dung":
        out["row"] = first
        first += 1
    for key in keys:
        out[key] = titles.index(spec.column(key).heading, first)
    return out


def text_annexes(
    source: Source, spec: ReportSpec, mappings: Mappings, first_number: int, first_table: int
) -> list[ReportAnnex]:
    """One phụ lục per ``text_annexes`` entry, numbered on from ``first_number``."""
    out: list[ReportAnnex] = []
    table_no = first_table
    for n, annex in enumerate(spec.text_annexes, start=first_number):
        try:
            appendix = mappings.appendix(annex.appendix)
        except KeyError:
            continue
        rows = source.sheets.get(appendix_sheet(appendix.code, appendix.sheet_name), [])
        label = f"{spec.annex_title} {roman(n)}"
        header, *body = rows or [[]]
        keys = list(annex.columns) + [k for k in (annex.when or {}) if k not in annex.columns]
        positions = _positions(header, appendix, keys) if body else {}
        if not any(not _missing(r, positions) for r in body):  # nobody returned it: no data,
            no_data = spec.no_data.replace("{code}", appendix.code)  # not "Không"
            out.append(ReportAnnex(label=label, title=annex.title, paragraphs=[no_data]))
            continue
        headers = ["STT", *(_heading(appendix.column(c).label) for c in annex.columns), "Đơn vị"]
        parts: list[tuple[str, Sequence[Sequence[Any]]]] = []
        if "row" in positions:  # one table per outline item (the appendix's fixed rows)
            for definition in appendix.table.rows if isinstance(appendix.table.rows, tuple) else ():
                if definition.kind != "input":
                    continue
                mine = [r for r in body if r[positions["row"]] == definition.label]
                parts.append((definition.label, mine))
        else:
            parts.append((annex.title.capitalize(), body))
        tables = []
        for title, part_rows in parts:
            table_rows = [
                [str(i), *g.texts, "; ".join(g.units)]
                for i, g in enumerate(_groups(part_rows, positions, annex, annex.columns), 1)
            ]
            if not table_rows:
                continue
            landscape = len(annex.columns) > 1
            page, units_cm = (25.0, 7.0) if landscape else (16.5, 6.0)
            width = page - STT_CM - units_cm
            tables.append(
                ReportTable(
                    number=table_no,
                    title=title,
                    headers=headers,
                    rows=table_rows,
                    widths_cm=[
                        STT_CM,
                        *([width / len(annex.columns)] * len(annex.columns)),
                        units_cm,
                    ],
                    numeric_columns=[0],
                )
            )
            table_no += 1
        out.append(
            ReportAnnex(
                label=label,
                title=annex.title,
                tables=tables,
                paragraphs=[] if tables else [spec.nothing],
                landscape=len(annex.columns) > 1,
            )
        )
    return out
