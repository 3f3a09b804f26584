"""Pydantic models of the mappings: project settings, periods, appendix specs, rules.

Everything an officer sees (labels, choices, messages) comes from the YAML files;
these models only fix the *shape* of that data so that a broken mapping is caught
on load, with the file and the field named, instead of deep inside a build.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from xlsaddin.spec.expr import names

Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
RuleId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=60)]
ColumnType = Literal["text", "int", "decimal", "date", "choice", "bool"]
Severity = Literal["error", "warning"]

BOOL_CHOICES = ("Có", "Không")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Column(_Model):
    """One column of an appendix table."""

    key: Key
    label: str
    type: ColumnType
    unit: str | None = None
    required: bool = False
    choices: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    width: float = 14
    group: str | None = None
    help: str | None = None
    # A fixed column is filled by the template, not by the commune: "stt" is the
    # row number, any other value names an attribute of the row (label, unit, ...).
    fixed: str | None = None

    @model_validator(mode="after")
    def _check_choices(self) -> Column:
        if self.type == "choice" and not self.choices:
            raise ValueError(
                "cột kiểu 'choice' phải có danh sách 'choices' / a choice column needs 'choices'"
            )
        if self.type != "choice" and self.choices:
            raise ValueError(
                "chỉ cột kiểu 'choice' mới có 'choices' / only choice columns take 'choices'"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' lớn hơn 'max' / 'min' is greater than 'max'")
        return self

    @property
    def is_input(self) -> bool:
        return self.fixed is None

    @property
    def heading(self) -> str:
        """The column's header on the provincial sheets: "Số lượng (máy)"."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @property
    def is_numeric(self) -> bool:
        return self.type in ("int", "decimal")

    @property
    def allowed(self) -> tuple[str, ...]:
        """Allowed texts of a choice or bool column (empty for other types)."""
        if self.type == "bool":
            return BOOL_CHOICES
        return self.choices or ()

    @property
    def lower_bound(self) -> float | None:
        """Numbers in reports are counts and money: non-negative unless a spec says otherwise."""
        if self.min is not None:
            return self.min
        return 0.0 if self.is_numeric else None


class RowDef(_Model):
    """One fixed row (a criterion, a budget line, a procedure form)."""

    key: Key
    label: str
    kind: Literal["input", "total"] = "input"
    sum_of: tuple[str, ...] = ()
    attrs: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_total(self) -> RowDef:
        if self.kind == "total" and not self.sum_of:
            raise ValueError("dòng tổng phải có 'sum_of' / a total row needs 'sum_of'")
        if self.kind == "input" and self.sum_of:
            raise ValueError("chỉ dòng tổng mới có 'sum_of' / only total rows take 'sum_of'")
        return self

    def attr(self, name: str) -> Any:
        if name == "label":
            return self.label
        return self.attrs.get(name)


class CatalogueRef(_Model):
    """Rows taken from a catalogue file (e.g. the criteria list IT staff replace)."""

    catalogue: str


class Table(_Model):
    columns: tuple[Column, ...]
    rows: tuple[RowDef, ...] | CatalogueRef | None = None
    max_rows: int = Field(default=30, ge=1, le=5000)
    # Of a free table's max_rows, how many a blank form shows; the others are hidden rows
    # (they print only when an officer shows them, or when a file fills them) so that a
    # blank 300-row task table prints on two pages. None: every row shown.
    shown_rows: int | None = Field(default=None, ge=1, le=5000)
    header_height: float = 45
    # A free table (no fixed rows) with no entry at all is a warning, not "Sẵn sàng gửi":
    # this text is the check's message and what the form's status line says.
    empty_warning: str = "Bảng chưa có dòng số liệu nào"

    @property
    def fixed_rows(self) -> bool:
        return self.rows is not None


class CheckRule(_Model):
    """A per-row check written in a small expression language over column keys.

    ``expr`` must hold for every row where ``when`` holds (and, if ``rows`` is
    given, only for rows whose attributes match). Compiled to Python and to an
    Excel formula by :mod:`xlsaddin.rules`.
    """

    id: RuleId
    kind: Literal["check"] = "check"
    expr: str
    when: str | None = None
    rows: dict[str, str | int | float | bool] | None = None
    cell: Key | None = None
    severity: Severity = "error"
    message: str


class DeadlineRule(_Model):
    """Task deadline rule: overdue (not done by the closing date) or completed late."""

    id: RuleId
    kind: Literal["overdue", "completed_late"]
    deadline: Key
    completed_on: Key
    status: Key
    done: str
    severity: Severity = "warning"
    message: str


def _rule_kind(value: Any) -> str:
    if isinstance(value, dict):
        return "deadline-rule" if value.get("kind", "check") != "check" else "check-rule"
    return "deadline-rule" if isinstance(value, DeadlineRule) else "check-rule"


Rule = Annotated[
    Annotated[CheckRule, Tag("check-rule")] | Annotated[DeadlineRule, Tag("deadline-rule")],
    Discriminator(_rule_kind),
]


class Indicator(_Model):
    """A headline figure computed over all accepted units (declared per appendix).

    kinds: ``sum`` of a column; ``ratio`` of two earlier indicators (as %);
    ``units_all`` / ``units_some`` / ``units_none``: units where all / some / none of
    the (filtered) rows have ``column == equals`` (a blank row is not reported: it is
    neither met nor not met); ``units_lacking``: for each (filtered) row, the units where
    ``column`` holds another value than ``equals`` (not blank); ``units_per_row``: for each
    (filtered) row, the number of units where ``column == equals``; ``rows_where``:
    number of rows with ``column == equals`` (all rows when ``column`` is omitted; with
    ``blank: true``, rows where ``column`` is blank or unreadable); ``units_unreported``:
    units whose all / some / none status cannot be told because rows are blank;
    ``deadline_rows``: rows a deadline rule (``rule``) flags, judged on typed values;
    ``count_issues``: number of issues with code ``code``; ``units_any``: units where at
    least one (filtered) row has ``column == equals`` (named); ``units_short``: for each
    (filtered) row, the units that are not ``equals`` although their ``quantity`` is 1 or
    more ("chưa đủ", named; ``units_lacking`` with a ``quantity`` then keeps the units with
    none: "chưa có"); ``mode``: for each (filtered) row, the value of ``column`` most units
    report (e.g. the number of procedures per form, the same list everywhere), the units
    reporting another value named. ``by_unit_kind`` (sum, ratio) adds one figure per unit
    type, keyed ``<key>.<type>`` (xa, phuong, dac_khu). ``names: true`` names the units
    behind a ``units_per_row`` figure.

    Blank is never zero: a sum adds reported values only, over the rows usable for the
    appendix's figures (see ``docs/consolidation.md``); an appendix nobody returned has
    no figures at all.
    """

    key: Key
    label: str
    kind: Literal[
        "sum",
        "ratio",
        "units_all",
        "units_some",
        "units_none",
        "units_lacking",
        "units_per_row",
        "rows_where",
        "units_unreported",
        "deadline_rows",
        "count_issues",
        "units_any",
        "units_short",
        "mode",
    ]
    column: Key | None = None
    equals: str | None = None
    quantity: Key | None = None  # units_lacking / units_short: the quantity column
    names: bool = False  # units_per_row: also name the units
    blank: bool = False  # rows_where: count rows whose ``column`` is blank or unreadable
    rule: RuleId | None = None  # deadline_rows: the deadline rule's id
    rows: dict[str, str | int | float | bool] | None = None
    numerator: Key | None = None
    denominator: Key | None = None
    code: str | None = None
    unit: str | None = None
    decimals: int = Field(default=0, ge=0, le=3)
    # sum / ratio: also one figure per unit type (xã, phường, đặc khu), keys "<key>.<type>"
    by_unit_kind: bool = False

    @model_validator(mode="after")
    def _check_kind(self) -> Indicator:
        needs = {
            "sum": ("column",),
            "ratio": ("numerator", "denominator"),
            "units_all": ("column", "equals"),
            "units_some": ("column", "equals"),
            "units_none": ("column", "equals"),
            "units_lacking": ("column", "equals"),
            "units_per_row": ("column", "equals"),
            "rows_where": ("column",) if self.blank else (),
            "units_unreported": ("column", "equals"),
            "deadline_rows": ("rule",),
            "count_issues": ("code",),
            "units_any": ("column", "equals"),
            "units_short": ("column", "equals", "quantity"),
            "mode": ("column",),
        }[self.kind]
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(
                f"chỉ tiêu kiểu '{self.kind}' cần {', '.join(missing)} / "
                f"a '{self.kind}' indicator needs {', '.join(missing)}"
            )
        return self


AUTO_FIGURES = ("_submitted", "_missing", "_excluded")
"""Figures every appendix has besides its indicators: units that returned it, units
that did not, units whose rows were left out of its sums (incomplete or inconsistent)."""


class Breakdown(_Model):
    """Parts that make up a total, e.g. received = online + in person.

    ``total`` and ``parts`` name indicators of the appendix (or ``units_total`` /
    the automatic figures ``_missing``, ``_excluded``); ``mention``: figures a sentence
    stating this breakdown must also name whenever they are not zero (what the figures
    leave out). The parts must add up to the total exactly: consolidation leaves a row
    whose parts do not add up to its total out of the appendix's sums, and the report
    refuses a sentence that states the total and some parts but whose parts do not add
    up, or that leaves out a non-zero part or a ``mention`` figure.
    """

    total: str
    parts: tuple[str, ...] = Field(min_length=1)
    mention: tuple[str, ...] = ()


class Chart(_Model):
    """A chart of headline figures (native in the provincial workbook, image in the report).

    ``indicators``: headline keys; ``prefix.*`` takes every per-row / per-type key.
    """

    title: str
    type: Literal["bar", "column", "pie"]
    indicators: tuple[str, ...]


class HeaderField(_Model):
    """A Decree-09 header line: label and where the value comes from."""

    key: Key
    label: str
    source: Literal[
        "form_name",
        "unit_name",
        "unit_code",
        "receiving_unit",
        "period",
        "closing_date",
        "deadline",
        "input",
    ]
    # "phone": typed as text in the form (keeps "0905111222") and read back as such
    type: Literal["text", "date", "phone"] = "text"


class Signature(_Model):
    left_title: str
    left_note: str
    right_title: str
    right_note: str
    place_date: str


class AppendixSpec(_Model):
    """One appendix: a standard workbook with a header block and one table."""

    id: Key
    code: str
    version: str
    form_name: str
    title: tuple[str, ...]
    subtitle: str | None = None
    sheet_name: str = Field(max_length=31)
    file_name: str
    unit_of_measure: str | None = None
    landscape: bool = True
    header: tuple[HeaderField, ...] | None = None
    table: Table
    rules: tuple[Rule, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    breakdowns: tuple[Breakdown, ...] = ()
    charts: tuple[Chart, ...] = ()

    def column(self, key: str) -> Column:
        for col in self.table.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @functools.cached_property
    def checked_columns(self) -> frozenset[str]:
        """Columns a reader must return: the inputs and any column a rule reads."""
        used = {c.key for c in self.table.columns if c.is_input}
        for rule in self.rules:
            if isinstance(rule, CheckRule):
                for text in (rule.expr, rule.when):
                    used |= names(text) if text else set()
                used |= {rule.cell} if rule.cell else set()
            else:
                used |= {rule.deadline, rule.completed_on, rule.status}
        return frozenset(used)


class Period(_Model):
    id: str
    label: str
    closing_date: dt.date
    deadline: dt.date


class Province(_Model):
    code: int
    name: str


class Project(_Model):
    """Province-wide settings (mappings/project.yaml)."""

    province: Province
    receiving_unit: str
    default_period: str
    periods: tuple[Period, ...]
    header: tuple[HeaderField, ...]
    signature: Signature
    input_note: str
    # "(Ban hành kèm theo ...)" under each form's title, as the seeds' forms carry it
    issued_with: str | None = None
    protection_password: str | None = None
    font_name: str = "Times New Roman"

    def period(self, period_id: str | None = None) -> Period:
        wanted = period_id or self.default_period
        for p in self.periods:
            if p.id == wanted:
                return p
        known = ", ".join(p.id for p in self.periods)
        raise KeyError(f"Không có kỳ báo cáo '{wanted}' (có: {known}).")


class ForeignLayout(_Model):
    """A layout that is not our template, recognised by its header labels.

    ``columns`` maps a column key of ``appendix`` to the header texts that may
    label it (compared case-, diacritic-form- and spacing-insensitively).
    """

    id: Key
    appendix: Key
    name: str
    columns: dict[Key, tuple[str, ...]]
    required: tuple[Key, ...]
    scan_rows: int = Field(default=30, ge=1, le=500)


class Mappings(_Model):
    """Everything loaded from one mappings folder, with catalogues resolved into rows."""

    root: str
    project: Project
    appendices: tuple[AppendixSpec, ...]
    layouts: tuple[ForeignLayout, ...] = ()
    hashes: dict[str, str]
    synonyms: dict[str, tuple[str, ...]] = {}
    """``synonyms.yaml`` as written: canonical choice -> the variants officers type
    (folded and checked where values are typed: ``read.typed.synonyms_for``)."""
    fingerprint: str = ""
    """A digest of every file the load read, looked for or listed (``spec.cache``): equal
    fingerprints, equal mappings. "" for mappings not loaded from a folder."""

    def appendix(self, appendix_id: str) -> AppendixSpec:
        for spec in self.appendices:
            if spec.id == appendix_id or spec.code == appendix_id:
                return spec
        known = ", ".join(s.id for s in self.appendices)
        raise KeyError(f"Không có phụ lục '{appendix_id}' (có: {known}) / unknown appendix")

    def header_of(self, spec: AppendixSpec) -> tuple[HeaderField, ...]:
        return spec.header if spec.header is not None else self.project.header
