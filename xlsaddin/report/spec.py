"""The report wording declared in ``mappings/report.yaml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from xlsaddin.spec.loader import SpecError, _from_validation, _read_yaml


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


class SectionSpec(_Model):
    appendix: str
    heading: str
    sentences: tuple[Sentence, ...] = ()
    table: TableSpec | None = None


class ReportSpec(_Model):
    authority: str
    issuer: str
    number: str
    place: str
    title: str
    subtitle: str
    intro: tuple[str, ...] = ()
    sections: tuple[SectionSpec, ...]
    # a section whose appendix nobody returned: no figures, no table, no chart ({code}: PL03)
    no_data: str = "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi {code}."
    # added to a table's source line when rows were left out of its sums ({count}, {names})
    excluded_note: str = "không tính số liệu chưa đầy đủ hoặc chưa khớp của {count} đơn vị: {names}"
    annex_title: str = "PHỤ LỤC"
    recipients: tuple[str, ...] = ()
    signer_role: str = ""
    signer_title: str = ""
    signer_name: str = ""


def load_report_spec(mappings_root: str | Path) -> ReportSpec:
    path = Path(mappings_root) / "report.yaml"
    rel = f"{Path(mappings_root).name}/report.yaml"
    if not path.is_file():
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
