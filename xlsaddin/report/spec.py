"""The report wording declared in ``mappings/report.yaml``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from xlsaddin.spec.cache import cached
from xlsaddin.spec.loader import SpecError, _from_validation, _is_file, _read_yaml, recorded


class _Model(BaseModel):
    # validators built on first use (a copy kept by spec/cache.py is never validated again)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ForEach(_Model):
    for_each: str
    text: str


class OneOf(_Model):
    one_of: tuple[str, ...]


Sentence = str | ForEach | OneOf


class TableSpec(_Model):
    title: str
    indicators: tuple[str, ...]
    headers: tuple[str, ...]


# "I. ", "2. ", "3.1. ", "a) " at the start of a heading: the report numbers headings itself
_NUMBERED = re.compile(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\))\s")


class SectionSpec(_Model):
    """A heading of the report and what follows it.

    ``level`` 1 is numbered I., II. (a part), 2 is 1., 2. (restarting in each part), 3 is
    a), b) (restarting under each level-2 heading), as the real reports do. ``appendix``
    names where the sentences' figures come from; a heading without one only opens a part.
    """

    heading: str
    appendix: str | None = None
    level: Literal[1, 2, 3] = 2
    sentences: tuple[Sentence, ...] = ()
    table: TableSpec | None = None

    @field_validator("heading")
    @classmethod
    def _unnumbered(cls, value: str) -> str:
        if _NUMBERED.match(value):
            raise ValueError(
                "tiêu đề được đánh số tự động (I., 1., a)) theo 'level'; bỏ số ở đầu / "
                "headings are numbered automatically from 'level': drop the number"
            )
        return value


class RequestSpec(_Model):
    """The document that asked for the report, named in the opening sentence."""

    kind: str = "Công văn"  # Công văn, Kế hoạch, Thông báo ...
    number: str  # "2045-CV/TU"
    date: dt.date
    issuer: str  # "Ban Thường vụ Tỉnh ủy"
    about: str = ""  # "về việc ..." (without "về việc")


class TextAnnexSpec(_Model):
    """A phụ lục compiling what the communes wrote (their own words), grouped by outline item.

    ``appendix``: where the texts are; ``columns``: its text columns to compile (their
    labels head the table); ``when``: only rows where these columns hold these values
    (e.g. ``{co_kho_khan: Có}``), the others count as "không". For each fixed row
    (outline item) one table, for a free table one table: identical answers are merged
    and the units that gave them listed (each once); the units that returned the
    appendix and gave no answer there are one line "Không" (named up to 10, counted
    beyond). ``{annex.<appendix>}`` in a sentence names this phụ lục ("Phụ lục III").
    """

    appendix: str
    title: str
    columns: tuple[str, ...] = Field(min_length=1)
    when: dict[str, str] | None = None


class ReportSpec(_Model):
    authority: str
    issuer: str
    issuer_name: str = ""  # the issuer as written mid-sentence ("Sở Khoa học và Công nghệ")
    number: str
    place: str
    report_date: dt.date | None = None  # None: the day is left blank for the signer (warned)
    request: RequestSpec | str | None = None  # None: "Công văn số … ngày … của …" (warned)
    title: str
    subtitle: str
    intro: tuple[str, ...] = ()
    sections: tuple[SectionSpec, ...]
    closing: str = "Trên đây là báo cáo của {issuer_name}./."
    # a section whose appendix nobody returned: no figures, no table, no chart ({code}: PL03)
    no_data: str = "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi {code}."
    # added to a table's source line when rows were left out of its sums ({count}, {names})
    excluded_note: str = "không tính số liệu chưa đầy đủ hoặc chưa khớp của {count} đơn vị: {names}"
    annex_title: str = "Phụ lục"
    # after Phụ lục I (who is missing) and II (overdue tasks): the communes' own words
    text_annexes: tuple[TextAnnexSpec, ...] = ()
    # a section with nothing to say (the outline: "mục nào không có nội dung thì ghi 'không'")
    nothing: str = "Không."
    recipients: tuple[str, ...] = ()
    signer_role: str = ""
    signer_title: str = ""
    signer_name: str = ""


def load_report_spec(mappings_root: str | Path) -> ReportSpec:
    """``report.yaml`` of a mappings folder, validated; from the copy kept by
    ``spec/cache.py`` while the file is unchanged (a consolidation then neither imports
    PyYAML nor builds these models' validators: ~30 ms)."""
    root = Path(mappings_root)
    return cached(
        root, lambda recorder: recorded(recorder, lambda: _load(root)), ReportSpec, "bao-cao"
    )


def _load(root: Path) -> ReportSpec:
    path = root / "report.yaml"
    rel = f"{root.name}/report.yaml"
    if not _is_file(path):
        raise SpecError(rel, "", "thiếu tệp / file missing")
    try:
        return ReportSpec.model_validate(_read_yaml(path, rel))
    except ValidationError as exc:
        raise _from_validation(rel, exc) from None


def check_report_spec(mappings_root: str | Path) -> list[SpecError]:
    """Problems of ``report.yaml`` ([] when it loads)."""
    try:
        load_report_spec(mappings_root)
    except SpecError as exc:
        return [exc]
    return []
