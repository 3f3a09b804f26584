"""Tests for xlsaddin.spec (models + loader) and xlsaddin.spec.expr.

The broken-mapping tests copy the shipped ``mappings/`` folder to a temporary
directory, break exactly one thing, and check that loading fails with a one-line
:class:`SpecError` naming the file and the field, never with another exception.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml

from xlsaddin.forms.runner import build_templates
from xlsaddin.spec.expr import ExprError, names, parse
from xlsaddin.spec.loader import SpecError, load_mappings
from xlsaddin.spec.models import AppendixSpec, CheckRule, Mappings

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "mappings"
PREFIX = "Lỗi cấu hình / mapping error:"

PROJECT = "project.yaml"
PL01 = "appendices/01_tieu_chi_ha_tang.yaml"
PL02 = "appendices/02_nguon_luc_tai_chinh.yaml"
PL03 = "appendices/03_ket_qua_tthc.yaml"
PL04 = "appendices/04_nhiem_vu.yaml"
CATALOGUE = "catalogues/tieu_chi_ha_tang.yaml"

#: The appendices the shipped folder declares, read straight from the YAML files.
EXPECTED_IDS = tuple(
    yaml.safe_load(p.read_text(encoding="utf-8"))["id"]
    for p in sorted((ROOT / "mappings" / "appendices").glob("*.yaml"))
)
#: The first four (infrastructure, finance, TTHC, tasks): the report's headline figures.
CORE_IDS = ("tieu_chi_ha_tang", "nguon_luc_tai_chinh", "ket_qua_tthc", "nhiem_vu")


# --- helpers / fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> Mappings:
    return load_mappings(SHIPPED)


@pytest.fixture
def mcopy(tmp_path: Path) -> Path:
    """A private copy of the shipped mappings folder (named ``mappings`` like the original)."""
    dest = tmp_path / "mappings"
    shutil.copytree(SHIPPED, dest)
    return dest


def edit_yaml(root: Path, rel: str, mutate: Callable[[Any], None]) -> None:
    path = root / rel
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def replace_text(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def load_error(root: Path) -> SpecError:
    """Load ``root`` expecting a SpecError (any other exception fails the test)."""
    with pytest.raises(SpecError) as info:
        load_mappings(root)
    exc = info.value
    assert type(exc) is SpecError
    return exc


def assert_one_line(exc: SpecError) -> None:
    text = str(exc)
    assert "\n" not in text and "\r" not in text
    assert text.startswith(PREFIX)
    assert exc.file in text
    if exc.field:
        assert exc.field in text
    assert exc.message and exc.message in text


def iter_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from iter_strings(k)
            yield from iter_strings(v)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            yield from iter_strings(v)


# --- 1. the shipped mappings -----------------------------------------------------------------


def test_shipped_mappings_hold_every_declared_appendix(shipped: Mappings) -> None:
    assert tuple(s.id for s in shipped.appendices) == EXPECTED_IDS
    assert EXPECTED_IDS[: len(CORE_IDS)] == CORE_IDS
    codes = [s.code for s in shipped.appendices]
    assert codes == [f"PL{n:02d}" for n in range(1, len(codes) + 1)]
    assert len({s.file_name for s in shipped.appendices}) == len(EXPECTED_IDS)
    assert all(len(s.sheet_name) <= 31 for s in shipped.appendices)
    assert shipped.appendix("PL02").id == "nguon_luc_tai_chinh"
    with pytest.raises(KeyError):
        shipped.appendix("khong_co")


def test_criteria_catalogue_gives_16_unique_rows(shipped: Mappings) -> None:
    rows = shipped.appendix("tieu_chi_ha_tang").table.rows
    assert isinstance(rows, tuple)
    assert len(rows) == 16
    assert len({r.key for r in rows}) == 16
    assert all(r.kind == "input" for r in rows)
    assert all(isinstance(r.attr("equipment"), bool) for r in rows)


def test_fixed_row_tables_have_their_totals(shipped: Mappings) -> None:
    rows = shipped.appendix("nguon_luc_tai_chinh").table.rows
    assert isinstance(rows, tuple)
    total = rows[-1]
    assert total.kind == "total"
    assert total.sum_of == ("chi_dau_tu", "chi_thuong_xuyen")
    assert shipped.appendix("nhiem_vu").table.rows is None


def test_every_string_is_nfc(shipped: Mappings) -> None:
    strings = list(iter_strings(shipped.model_dump(mode="python")))
    assert len(strings) > 200
    bad = [s for s in strings if not unicodedata.is_normalized("NFC", s)]
    assert bad == []
    # the labels, choices and messages an officer sees are explicitly covered
    seen: list[str] = []
    for spec in shipped.appendices:
        seen += [*spec.title, spec.form_name, spec.sheet_name]
        for col in spec.table.columns:
            seen += [col.label, *(col.choices or ()), *filter(None, [col.help, col.unit])]
        if isinstance(spec.table.rows, tuple):
            seen += [r.label for r in spec.table.rows]
        seen += [rule.message for rule in spec.rules]
    seen += [h.label for h in shipped.project.header] + [p.label for p in shipped.project.periods]
    assert "Đạt" in seen and "Đã hoàn thành" in seen
    assert all(unicodedata.is_normalized("NFC", s) for s in seen)


def test_spec_hashes(shipped: Mappings) -> None:
    assert set(shipped.hashes) == set(EXPECTED_IDS)
    for value in shipped.hashes.values():
        assert re.fullmatch(r"[0-9a-f]{64}", value)
    assert len(set(shipped.hashes.values())) == len(EXPECTED_IDS)
    # stable across loads
    assert load_mappings(SHIPPED).hashes == shipped.hashes


def test_hash_changes_with_spec_but_not_with_periods(mcopy: Path, shipped: Mappings) -> None:
    edit_yaml(mcopy, PL02, lambda d: d["table"]["columns"][2].update(label="Dự toán năm"))
    edit_yaml(mcopy, PROJECT, lambda d: d.update(default_period="2026-q1"))
    changed = load_mappings(mcopy)
    assert changed.hashes["nguon_luc_tai_chinh"] != shipped.hashes["nguon_luc_tai_chinh"]
    assert changed.hashes["nhiem_vu"] == shipped.hashes["nhiem_vu"]


def test_default_period(shipped: Mappings) -> None:
    project = shipped.project
    assert project.default_period in {p.id for p in project.periods}
    period = project.period()
    assert period.id == project.default_period
    assert period.closing_date <= period.deadline
    assert project.period("2026-q1").label == "Quý I năm 2026"
    with pytest.raises(KeyError):
        project.period("1999-q1")


def test_rule_expressions_only_use_known_columns(shipped: Mappings) -> None:
    for spec in shipped.appendices:
        keys = {c.key for c in spec.table.columns}
        for rule in spec.rules:
            if isinstance(rule, CheckRule):
                assert names(rule.expr) <= keys
                if rule.when:
                    assert names(rule.when) <= keys


# --- 2. broken mappings ----------------------------------------------------------------------


def _set(path: tuple[Any, ...], value: Any) -> Callable[[Any], None]:
    def mutate(data: Any) -> None:
        for part in path[:-1]:
            data = data[part]
        data[path[-1]] = value

    return mutate


def _pop(path: tuple[Any, ...]) -> Callable[[Any], None]:
    def mutate(data: Any) -> None:
        for part in path[:-1]:
            data = data[part]
        del data[path[-1]]

    return mutate


# (rel file to edit, mutation, expected exc.file relative to the copy, expected field, and
# substrings of exc.message)
YAML_CASES: dict[str, tuple[str, Callable[[Any], None], str, str, tuple[str, ...]]] = {
    "bad-column-type": (
        PL02,
        _set(("table", "columns", 2, "type"), "integer"),
        PL02,
        "table.columns[2].type",
        ("integer",),
    ),
    "unknown-column-in-rule-expr": (
        PL02,
        _set(("rules", 0, "expr"), "duoc_phan_bo + cot_khong_co == duoc_duyet"),
        PL02,
        "rules[0].expr",
        ("cot_khong_co",),
    ),
    "rule-compares-number-with-text": (
        PL02,
        _set(("rules", 1, "expr"), "da_giai_ngan <= noi_dung_giai_ngan"),
        PL02,
        "rules[1].expr",
        ("comparison of different types",),
    ),
    "rule-is-not-a-condition": (
        PL02,
        _set(("rules", 1, "expr"), "da_giai_ngan + duoc_phan_bo"),
        PL02,
        "rules[1].expr",
        ("must be a condition",),
    ),
    "rule-when-adds-text": (
        PL02,
        _set(("rules", 3, "when"), "noi_dung_giai_ngan + 1 > 0"),
        PL02,
        "rules[3].when",
        ("type mismatch",),
    ),
    "rule-id-reuses-a-built-in-code": (
        PL02,
        _set(("rules", 1, "id"), "required-missing"),
        PL02,
        "rules[1].id",
        ("required-missing",),
    ),
    "unknown-column-in-rule-when": (
        PL02,
        _set(("rules", 3, "when"), "so_tien_ma > 0"),
        PL02,
        "rules[3].when",
        ("so_tien_ma",),
    ),
    "unknown-column-in-rule-cell": (
        PL02,
        _set(("rules", 0, "cell"), "o_khong_co"),
        PL02,
        "rules[0].cell",
        ("o_khong_co",),
    ),
    "unknown-column-in-deadline-rule": (
        PL04,
        _set(("rules", 2, "deadline"), "han_cuoi"),
        PL04,
        "rules[2].deadline",
        ("han_cuoi",),
    ),
    "unknown-rule-kind": (
        PL04,
        _set(("rules", 2, "kind"), "sometimes"),
        PL04,
        "rules[2].kind",
        ("sometimes",),
    ),
    "duplicate-column-key": (
        PL02,
        _set(("table", "columns", 3, "key"), "du_toan"),
        PL02,
        "table.columns",
        ("du_toan",),
    ),
    "duplicate-row-key": (
        PL03,
        _set(("table", "rows", 1, "key"), "toan_trinh"),
        PL03,
        "table.rows",
        ("toan_trinh",),
    ),
    "duplicate-row-key-in-catalogue": (
        CATALOGUE,
        _set(("rows", 5, "key"), "mang_tsl"),
        PL01,
        "table.rows",
        ("mang_tsl",),
    ),
    "total-sums-unknown-row": (
        PL02,
        _set(("table", "rows", 2, "sum_of"), ["chi_dau_tu", "dong_khong_co"]),
        PL02,
        "table.rows[2].sum_of",
        ("dong_khong_co",),
    ),
    "choice-column-without-choices": (
        PL04,
        _pop(("table", "columns", 4, "choices")),
        PL04,
        "table.columns[4]",
        ("choices",),
    ),
    "choices-on-a-text-column": (
        PL04,
        _set(("table", "columns", 1, "choices"), ["a", "b"]),
        PL04,
        "table.columns[1]",
        ("choices",),
    ),
    "min-greater-than-max": (
        PL02,
        lambda d: d["table"]["columns"][2].update(min=5, max=1),
        PL02,
        "table.columns[2]",
        ("min",),
    ),
    "bad-column-key": (
        PL02,
        _set(("table", "columns", 2, "key"), "Du Toan"),
        PL02,
        "table.columns[2].key",
        ("Du Toan",),
    ),
    "duplicate-rule-id": (
        PL02,
        _set(("rules", 1, "id"), "allocation-sum-mismatch"),
        PL02,
        "rules",
        ("allocation-sum-mismatch",),
    ),
    "sheet-name-too-long": (
        PL03,
        _set(("sheet_name",), "Kết quả giải quyết thủ tục hành chính"),
        PL03,
        "sheet_name",
        ("chuỗi quá dài",),
    ),
    "max-rows-zero": (
        PL04,
        _set(("table", "max_rows"), 0),
        PL04,
        "table.max_rows",
        ("giá trị quá nhỏ",),
    ),
    "no-input-column": (
        PL04,
        lambda d: d["table"].update(columns=d["table"]["columns"][:1]),
        PL04,
        "table.columns",
        ("no input column",),
    ),
    "extra-top-level-key": (
        PL02,
        _set(("mau_sac",), "do"),
        PL02,
        "mau_sac",
        ("trường không được phép",),
    ),
    "extra-column-key": (
        PL03,
        _set(("table", "columns", 0, "colour"), "red"),
        PL03,
        "table.columns[0].colour",
        ("trường không được phép",),
    ),
    "missing-required-field": (
        PL04,
        _pop(("file_name",)),
        PL04,
        "file_name",
        ("thiếu trường bắt buộc",),
    ),
    "period-with-invalid-date": (
        PROJECT,
        _set(("periods", 1, "closing_date"), "2025-13-45"),
        PROJECT,
        "periods[1].closing_date",
        ("YYYY-MM-DD",),
    ),
    "period-with-text-date": (
        PROJECT,
        _set(("periods", 0, "closing_date"), "cuối quý"),
        PROJECT,
        "periods[0].closing_date",
        ("YYYY-MM-DD",),
    ),
    "rule-expr-not-a-string": (
        PL04,
        _set(("rules", 0, "expr"), 5),
        PL04,
        "rules[0].expr",
        ("phải là chuỗi",),
    ),
    "default-period-not-in-periods": (
        PROJECT,
        _set(("default_period",), "2099-q1"),
        PROJECT,
        "default_period",
        ("periods",),
    ),
    "province-code-not-int": (
        PROJECT,
        _set(("province", "code"), "năm mốt"),
        PROJECT,
        "province.code",
        ("phải là số nguyên",),
    ),
    "extra-project-key": (
        PROJECT,
        _set(("tinh",), "Quảng Ngãi"),
        PROJECT,
        "tinh",
        ("trường không được phép",),
    ),
    "catalogue-with-extra-key": (
        CATALOGUE,
        _set(("ghi_chu",), "x"),
        CATALOGUE,
        "",
        ("rows",),
    ),
    "catalogue-rows-not-a-list": (
        CATALOGUE,
        _set(("rows",), 5),
        CATALOGUE,
        "rows",
        ("list",),
    ),
    "missing-catalogue-reference": (
        PL01,
        _set(("table", "rows", "catalogue"), "catalogues/khong_co.yaml"),
        PL01,
        "table.rows.catalogue",
        ("catalogues/khong_co.yaml",),
    ),
    "appendix-is-a-list": (
        PL03,
        lambda d: None,  # replaced below by a list document
        PL03,
        "",
        ("mapping",),
    ),
}


@pytest.mark.parametrize("case", list(YAML_CASES), ids=list(YAML_CASES))
def test_broken_yaml_gives_one_line_spec_error(mcopy: Path, case: str) -> None:
    rel, mutate, file, field, fragments = YAML_CASES[case]
    if case == "appendix-is-a-list":
        (mcopy / rel).write_text("- id: ket_qua_tthc\n- code: PL03\n", encoding="utf-8")
    else:
        edit_yaml(mcopy, rel, mutate)
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{file}"
    assert exc.field == field
    for fragment in fragments:
        assert fragment in exc.message
    assert_one_line(exc)


def test_bad_column_type_names_the_column_field(mcopy: Path) -> None:
    edit_yaml(mcopy, PL02, _set(("table", "columns", 4, "type"), "integer"))
    exc = load_error(mcopy)
    assert exc.file.endswith("appendices/02_nguon_luc_tai_chinh.yaml")
    assert "table.columns[" in exc.field and exc.field.endswith(".type")
    assert_one_line(exc)


@pytest.mark.parametrize(
    "text",
    [
        "id: nguon_luc_tai_chinh\ntable: [khong dong ngoac\ncode: PL02\n",
        "id: nguon_luc_tai_chinh\n  code: PL02\n bad: indent\n",
        "id: nguon_luc_tai_chinh\n\tcode: PL02\n",
        "id: 'chuỗi không đóng\ncode: PL02\n",
    ],
    ids=["unclosed-bracket", "bad-indent", "tab", "unclosed-quote"],
)
def test_invalid_yaml_syntax_names_the_line(mcopy: Path, text: str) -> None:
    (mcopy / PL02).write_text(text, encoding="utf-8")
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL02}"
    assert re.fullmatch(r"dòng \d+", exc.field)
    assert "YAML" in exc.message
    assert_one_line(exc)


def test_python_tags_in_yaml_are_refused(mcopy: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    replace_text(
        mcopy,
        PL02,
        "code: PL02",
        f"code: !!python/object/apply:os.system ['touch {marker}']",
    )
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL02}"
    assert exc.field.startswith("dòng")
    assert not marker.exists()
    assert_one_line(exc)


def test_non_utf8_file(mcopy: Path) -> None:
    (mcopy / PL03).write_bytes("id: k\xe9t_qua\n".encode("latin-1"))
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL03}"
    assert "UTF-8" in exc.message
    assert_one_line(exc)


def test_empty_appendix_file(mcopy: Path) -> None:
    (mcopy / PL04).write_text("# chỉ có ghi chú\n", encoding="utf-8")
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL04}"
    assert exc.field == ""
    assert_one_line(exc)


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('touch {marker}')",
        "open('{marker}', 'w')",
        "duoc_duyet.real",
        "a.b",
        "duoc_duyet[0]",
        "(lambda: 1)()",
        "[x for x in 'ab']",
        "len(noi_dung_giai_ngan) > 0",
        "filled(du_toan, duoc_duyet)",
        "du_toan ** 2 > 1",
        "du_toan == None",
        "du_toan >",
    ],
)
def test_forbidden_rule_expression_is_rejected_not_executed(
    mcopy: Path, tmp_path: Path, expr: str
) -> None:
    marker = tmp_path / "pwned"
    edit_yaml(mcopy, PL02, _set(("rules", 1, "expr"), expr.format(marker=marker)))
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL02}"
    assert exc.field == "rules[1].expr"
    assert not marker.exists()
    assert_one_line(exc)


def test_missing_catalogue_file(mcopy: Path) -> None:
    (mcopy / CATALOGUE).unlink()
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PL01}"
    assert exc.field == "table.rows.catalogue"
    assert "catalogues/tieu_chi_ha_tang.yaml" in exc.message
    assert_one_line(exc)


def test_empty_appendices_folder(mcopy: Path) -> None:
    for path in (mcopy / "appendices").iterdir():
        path.unlink()
    exc = load_error(mcopy)
    assert exc.file == str(mcopy)
    assert exc.field == "appendices/"
    assert_one_line(exc)


def test_missing_appendices_folder(mcopy: Path) -> None:
    shutil.rmtree(mcopy / "appendices")
    exc = load_error(mcopy)
    assert exc.field == "appendices/"
    assert_one_line(exc)


def test_missing_project_file(mcopy: Path) -> None:
    (mcopy / PROJECT).unlink()
    exc = load_error(mcopy)
    assert exc.field == "project.yaml"
    assert_one_line(exc)


def test_missing_mappings_folder(tmp_path: Path) -> None:
    exc = load_error(tmp_path / "khong_co")
    assert exc.field == "project.yaml"
    assert_one_line(exc)


def test_duplicate_appendix_id_across_files(mcopy: Path) -> None:
    shutil.copy(mcopy / PL03, mcopy / "appendices/05_ban_sao.yaml")
    edit_yaml(mcopy, "appendices/05_ban_sao.yaml", _set(("file_name",), "PL05_BanSao.xlsx"))
    exc = load_error(mcopy)
    assert exc.file == str(mcopy)
    assert "id" in exc.field
    assert "ket_qua_tthc" in exc.message
    assert_one_line(exc)


def test_duplicate_file_name_across_files(mcopy: Path) -> None:
    shutil.copy(mcopy / PL03, mcopy / "appendices/05_ban_sao.yaml")
    edit_yaml(mcopy, "appendices/05_ban_sao.yaml", _set(("id",), "ban_sao"))
    edit_yaml(mcopy, "appendices/05_ban_sao.yaml", _set(("code",), "PL98"))  # codes differ
    exc = load_error(mcopy)
    assert "file_name" in exc.field
    assert "PL03_KetQuaTTHC.xlsx" in exc.message
    assert_one_line(exc)


def test_several_errors_are_counted_on_one_line(mcopy: Path) -> None:
    def mutate(d: Any) -> None:
        d["table"]["columns"][2]["type"] = "integer"
        d["table"]["columns"][3]["type"] = "money"
        d["code"] = 2

    edit_yaml(mcopy, PL02, mutate)
    exc = load_error(mcopy)
    assert "2 lỗi khác" in exc.message
    assert_one_line(exc)


# --- known loader bugs (strict xfail: they start failing the day the bug is fixed) ----------


@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30"])
def test_unquoted_invalid_date_in_yaml(mcopy: Path, date: str) -> None:
    replace_text(mcopy, PROJECT, "closing_date: 2025-12-14", f"closing_date: {date}")
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{PROJECT}"
    assert_one_line(exc)


@pytest.mark.parametrize(
    "expr",
    ["du_toan" + " + du_toan" * 5000 + " > 0", "-" * 5000 + "du_toan > 0"],
    ids=["long-sum", "deep-unary"],
)
def test_huge_rule_expression(mcopy: Path, expr: str) -> None:
    edit_yaml(mcopy, PL02, _set(("rules", 1, "expr"), expr))
    exc = load_error(mcopy)
    assert exc.field == "rules[1].expr"
    assert_one_line(exc)


def test_total_row_summing_itself(mcopy: Path) -> None:
    edit_yaml(mcopy, PL02, _set(("table", "rows", 2, "sum_of"), ["chi_dau_tu", "tong_cong"]))
    exc = load_error(mcopy)
    assert exc.field == "table.rows[2].sum_of"


def test_inline_row_error_field_path(mcopy: Path) -> None:
    edit_yaml(mcopy, PL02, _set(("table", "rows", 0, "key"), "Chi"))
    exc = load_error(mcopy)
    assert exc.field == "table.rows[0].key"


@pytest.mark.parametrize(
    ("rel", "path", "value", "field"),
    [
        (PROJECT, ("periods", 0, "deadline"), "cuối quý", "periods[0].deadline"),
        (PL04, ("rules", 2, "deadline"), 5, "rules[2].deadline"),
    ],
    ids=["period-deadline", "rule-deadline"],
)
def test_field_named_deadline_is_kept_in_the_path(
    mcopy: Path, rel: str, path: tuple[Any, ...], value: Any, field: str
) -> None:
    edit_yaml(mcopy, rel, _set(path, value))
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{rel}"
    assert exc.field == field


def test_catalogue_row_error_names_the_row(mcopy: Path) -> None:
    edit_yaml(mcopy, CATALOGUE, _set(("rows", 5, "key"), "Man Hinh"))
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{CATALOGUE}"
    assert exc.field == "rows[5].key"


# --- 3. a fifth appendix is a YAML file only -------------------------------------------------

TRAINING = {
    "id": "dao_tao",
    "code": "PL99",
    "version": "1.0",
    "form_name": "99/KH02-ĐT",
    "title": ["PHỤ LỤC 99", "KẾT QUẢ ĐÀO TẠO, BỒI DƯỠNG KỸ NĂNG SỐ CHO CÁN BỘ"],
    "sheet_name": "Đào tạo",
    "file_name": "PL99_DaoTao.xlsx",
    "table": {
        "max_rows": 20,
        "columns": [
            {"key": "stt", "label": "STT", "type": "int", "fixed": "stt", "width": 5},
            {
                "key": "ten_khoa_hoc",
                "label": "Tên khóa học",
                "type": "text",
                "required": True,
                "width": 36,
            },
            {
                "key": "so_hoc_vien",
                "label": "Số học viên",
                "unit": "người",
                "type": "int",
                "required": True,
                "max": 500,
            },
            {"key": "ngay_khai_giang", "label": "Ngày khai giảng", "type": "date"},
            {
                "key": "hinh_thuc",
                "label": "Hình thức đào tạo",
                "type": "choice",
                "choices": ["Trực tuyến", "Trực tiếp", "Kết hợp"],
                "required": True,
                "help": "Chọn hình thức đào tạo.",
            },
            {"key": "co_chung_chi", "label": "Có cấp chứng chỉ", "type": "bool"},
        ],
    },
    "rules": [
        {
            "id": "trainees-missing",
            "expr": "so_hoc_vien >= 1",
            "when": "filled(ten_khoa_hoc)",
            "cell": "so_hoc_vien",
            "message": "Khóa học phải có ít nhất một học viên.",
        },
    ],
}


def _sheet_strings(ws: Any) -> set[str]:
    out: set[str] = set()
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                out.add(cell.value)
                out.update(cell.value.split("\n"))
    return out


def test_fifth_appendix_is_a_yaml_file_only(mcopy: Path, tmp_path: Path) -> None:
    (mcopy / "appendices/99_dao_tao.yaml").write_text(
        yaml.safe_dump(TRAINING, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    loaded = load_mappings(mcopy)
    assert tuple(s.id for s in loaded.appendices) == (*EXPECTED_IDS, "dao_tao")
    spec = loaded.appendix("dao_tao")
    assert isinstance(spec, AppendixSpec)
    assert not spec.table.fixed_rows
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.hashes["dao_tao"])

    out = tmp_path / "out"
    result = build_templates(loaded, out)
    n = len(EXPECTED_IDS) + 1
    assert len(result.paths) == n * 2 + 1  # .xlsx + .xlsm per appendix, control workbook
    assert (out / "PL99_DaoTao.xlsm") in result.paths
    assert sorted(p.name for p in out.glob("*.xlsx")) == sorted(
        s.file_name for s in loaded.appendices
    )
    path = out / "PL99_DaoTao.xlsx"
    assert path in result.paths and path.is_file()

    book = openpyxl.load_workbook(path)
    assert "Đào tạo" in book.sheetnames
    ws = book["Đào tạo"]
    strings = _sheet_strings(ws)
    for col in TRAINING["table"]["columns"]:
        assert col["label"] in strings, col["label"]
    assert "PHỤ LỤC 99" in strings

    for key in ("ten_khoa_hoc", "so_hoc_vien", "ngay_khai_giang", "hinh_thuc", "co_chung_chi"):
        assert f"col_{key}" in book.defined_names, key
        assert "Đào tạo" in book.defined_names[f"col_{key}"].attr_text
    assert "col_stt" not in book.defined_names

    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    formulas = {dv.formula1 for dv in lists}
    assert '"Trực tuyến,Trực tiếp,Kết hợp"' in formulas
    assert '"Có,Không"' in formulas
    assert any(dv.type == "whole" for dv in ws.data_validations.dataValidation)
    assert any(dv.type == "date" for dv in ws.data_validations.dataValidation)

    meta = book["_meta"]
    values = {(r[0], r[1]): r[2] for r in meta.iter_rows(min_row=2, values_only=True)}
    assert values[("meta", "template_id")] == "dao_tao"
    assert values[("meta", "spec_hash")] == loaded.hashes["dao_tao"]


def test_fifth_appendix_with_a_broken_rule_is_reported(mcopy: Path) -> None:
    broken = {**TRAINING, "rules": [{**TRAINING["rules"][0], "expr": "so_hoc_vien.real >= 1"}]}
    rel = "appendices/99_dao_tao.yaml"
    (mcopy / rel).write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    exc = load_error(mcopy)
    assert exc.file == f"mappings/{rel}"
    assert exc.field == "rules[0].expr"
    assert_one_line(exc)


# --- 4. the rule expression language ---------------------------------------------------------


def test_names() -> None:
    assert names("a + b == c") == {"a", "b", "c"}
    assert names("filled(x)") == {"x"}
    assert names("blank(y) or z > 1") == {"y", "z"}
    assert names("ket_qua == 'Đạt'") == {"ket_qua"}
    assert names("not (a - b * 2 / c != -1 and d <= 3.5)") == {"a", "b", "c", "d"}
    assert names("1 < 2") == set()


def test_parse_accepts_the_rule_language() -> None:
    tree = parse("duoc_phan_bo + chua_phan_bo == duoc_duyet")
    assert isinstance(tree, ast.Expression)
    parse("filled(a) and (b >= 1 or c != 'x')")


@pytest.mark.parametrize(
    "text",
    [
        "a.b",
        "a.b.c == 1",
        "a[0]",
        "a[1:2] == b",
        "lambda: 1",
        "(lambda x: x)(a)",
        "[x for x in a]",
        "{x for x in a}",
        "{x: 1 for x in a}",
        "any(x for x in a)",
        "__import__('os')",
        "eval('1')",
        "len(a)",
        "filled(a, b)",
        "filled(x=a)",
        "filled()",
        "a if b else c",
        "(a := 1)",
        "a ** 2",
        "a // 2",
        "a % 2",
        "a in b",
        "a is b",
        "[a, b]",
        "(a, b)",
        "f'{a}'",
        "a == None",
        "1j == a",
        "a == ...",
        "b'x' == a",
        "a +",
        "",
    ],
)
def test_parse_rejects_everything_else(text: str) -> None:
    with pytest.raises(ExprError):
        parse(text)
    with pytest.raises(ExprError):
        names(text)


@pytest.mark.parametrize("text", ["a == True", "not False"])
def test_parse_rejects_booleans(text: str) -> None:
    with pytest.raises(ExprError):
        parse(text)


@pytest.mark.parametrize("text", ["filled(1)", "blank('x')", "filled(a + b)"])
def test_filled_takes_a_column(text: str) -> None:
    with pytest.raises(ExprError):
        parse(text)


def test_expr_error_is_one_line() -> None:
    for text in ("a.b", "a +", "len(a)", "a\n+\n.b"):
        with pytest.raises(ExprError) as info:
            parse(text)
        assert "\n" not in str(info.value)


def test_a_sum_over_a_text_column_is_a_mapping_error(mcopy: Path) -> None:
    """Summing 'Nội dung giải ngân' would leave every finance figure without data and the
    report without its finance section, silently: refused at load, one line."""

    def mutate(d: Any) -> None:
        first_sum = next(i for i in d["indicators"] if i.get("kind") == "sum")
        first_sum["column"] = "noi_dung_giai_ngan"

    edit_yaml(mcopy, PL02, mutate)
    exc = load_error(mcopy)
    assert "column" in exc.field and "cần cột số" in exc.message
    assert_one_line(exc)


# --------------------------------------------------------------------------- validated cache


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("mappings-*.pickle"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XLSADDIN_CACHE", str(folder))
    return folder


def test_a_cached_load_equals_a_fresh_one_and_parses_nothing(
    mcopy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_mappings(mcopy)
    assert len(cache_files(cache)) == 1
    import xlsaddin.spec.loader as loader

    def no_parsing(*args: object) -> None:
        raise AssertionError("read YAML although the folder did not change")

    monkeypatch.setattr(loader, "_read_yaml", no_parsing)
    again = load_mappings(mcopy)
    assert again == fresh and again is not fresh
    assert again.synonyms and again.synonyms == fresh.synonyms
    monkeypatch.setenv("XLSADDIN_CACHE", "0")  # turned off: the folder is read again
    with pytest.raises(AssertionError, match="read YAML"):
        load_mappings(mcopy)


def test_the_report_wording_is_kept_validated_and_read_again_when_changed(
    mcopy: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """report.yaml is kept like the mappings (a consolidation writes its tables without
    PyYAML): the copy equals a fresh load, and an edited or broken file is seen."""
    import xlsaddin.report.spec as report_spec
    from xlsaddin.report.spec import load_report_spec

    fresh = load_report_spec(mcopy)
    assert len(list(cache.glob("bao-cao-*.pickle"))) == 1
    real = report_spec._read_yaml
    monkeypatch.setattr(report_spec, "_read_yaml", _refuse)
    again = load_report_spec(mcopy)
    assert again == fresh and again is not fresh
    path = mcopy / "report.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(fresh.title, fresh.title + " MỚI", 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="read YAML"):
        load_report_spec(mcopy)
    monkeypatch.setattr(report_spec, "_read_yaml", real)
    assert load_report_spec(mcopy).title == fresh.title + " MỚI"
    path.write_text("title: [", encoding="utf-8")
    with pytest.raises(SpecError, match=r"report\.yaml"):
        load_report_spec(mcopy)
    path.unlink()
    with pytest.raises(SpecError, match="thiếu tệp"):
        load_report_spec(mcopy)


def _refuse(*args: object) -> None:
    raise AssertionError("read YAML although the file did not change")


@pytest.mark.parametrize(
    "rel", ["appendices/02_nguon_luc_tai_chinh.yaml", "synonyms.yaml", "new.txt"]
)
def test_any_change_to_the_folder_is_seen(mcopy: Path, cache: Path, rel: str) -> None:
    before = load_mappings(mcopy)
    path = mcopy / rel
    if rel == "synonyms.yaml":
        path.write_text(path.read_text(encoding="utf-8") + "  Mới: [moi]\n", encoding="utf-8")
    elif rel.endswith(".yaml"):
        edit_yaml(mcopy, rel, lambda d: d.update(form_name=d["form_name"] + "-B"))
    else:
        path.write_text("x", encoding="utf-8")  # not a file the loader reads
    after = load_mappings(mcopy)
    assert len(cache_files(cache)) == 1  # one copy per folder
    if rel == "synonyms.yaml":
        assert after.synonyms["Mới"] == ("moi",) and "Mới" not in before.synonyms
    elif rel.endswith(".yaml"):
        assert after.appendix("PL02").form_name == before.appendix("PL02").form_name + "-B"
    else:
        assert after == before


def test_files_added_or_removed_are_seen(mcopy: Path, cache: Path) -> None:
    load_mappings(mcopy)
    spare = mcopy / "appendices" / "08_nhan_xet.yaml"
    kept = spare.read_bytes()
    spare.unlink()
    assert "PL08" not in {a.code for a in load_mappings(mcopy).appendices}
    spare.write_bytes(kept)
    assert "PL08" in {a.code for a in load_mappings(mcopy).appendices}
    (mcopy / "synonyms.yaml").unlink()
    assert load_mappings(mcopy).synonyms == {}


def test_files_reached_through_links_or_outside_the_folder_are_seen(
    mcopy: Path, cache: Path, tmp_path: Path
) -> None:
    """A subfolder that is a link, a catalogue outside the folder: their edits are seen,
    and a broken one is an error every time (found by a new-user trial: a stored copy
    used to answer for them)."""
    outside = tmp_path / "elsewhere"
    shutil.move(str(mcopy / "appendices"), outside)
    (mcopy / "appendices").symlink_to(outside, target_is_directory=True)
    catalogue = tmp_path / "danh_muc.yaml"
    shutil.move(str(mcopy / "catalogues" / "tieu_chi_ha_tang.yaml"), catalogue)
    edit_yaml(
        mcopy,
        "appendices/01_tieu_chi_ha_tang.yaml",
        lambda d: d["table"].update(rows={"catalogue": "../danh_muc.yaml"}),
    )
    first = load_mappings(mcopy)
    edit_yaml(mcopy, "appendices/02_nguon_luc_tai_chinh.yaml", lambda d: d.update(form_name="X"))
    assert load_mappings(mcopy).appendix("PL02").form_name == "X"
    rows = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    rows["rows"][0]["label"] = "Đã sửa ngoài thư mục"
    catalogue.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    changed = load_mappings(mcopy).appendix("PL01").table.rows
    assert changed[0].label == "Đã sửa ngoài thư mục" != first.appendix("PL01").table.rows[0].label
    catalogue.write_text("rows: [", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SpecError, match=r"danh_muc\.yaml"):
            load_mappings(mcopy)


def test_one_copy_per_real_folder_and_only_the_newest_kept(
    mcopy: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsaddin.spec.cache as spec_cache

    monkeypatch.chdir(tmp_path)
    first = load_mappings(Path("mappings"))
    again = load_mappings(Path("./mappings"))
    absolute = load_mappings(mcopy)
    assert len(cache_files(cache)) == 1
    assert (first.root, again.root, absolute.root) == ("mappings", "mappings", str(mcopy))
    monkeypatch.setattr(spec_cache, "KEEP", 2)
    for n in range(3):
        other = tmp_path / f"m{n}"
        shutil.copytree(mcopy, other)
        load_mappings(other)
    assert len(cache_files(cache)) == 2


@pytest.mark.parametrize("value", ["1", "on", "true"])
def test_cache_switched_on_by_word_uses_the_default_folder(
    mcopy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("XLSADDIN_CACHE", value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    load_mappings(mcopy)
    assert not (tmp_path / value).exists()
    if sys.platform != "win32":
        assert cache_files(tmp_path / "xdg" / "xlsaddin" / "cau-hinh")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_a_pipe_in_the_folder_is_never_opened(mcopy: Path, cache: Path) -> None:
    os.mkfifo(mcopy / "ong_dan")  # reading it would wait for a writer forever
    load_mappings(mcopy)
    assert load_mappings(mcopy).appendix("PL02")


def test_a_broken_folder_is_never_cached(mcopy: Path, cache: Path) -> None:
    (mcopy / "project.yaml").write_text("periods: [", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SpecError):
            load_mappings(mcopy)
    assert cache_files(cache) == []


@pytest.mark.parametrize("content", [b"", b"not a pickle", b"\x80\x05N."])  # N. = None
def test_a_damaged_copy_is_ignored_and_replaced(mcopy: Path, cache: Path, content: bytes) -> None:
    fresh = load_mappings(mcopy)
    (copy,) = cache_files(cache)
    copy.write_bytes(content)
    assert load_mappings(mcopy) == fresh
    assert copy.read_bytes() != content


def test_an_unwritable_cache_folder_costs_only_time(
    mcopy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XLSADDIN_CACHE", str(blocker / "cache"))
    assert load_mappings(mcopy).appendix("PL02")


def test_synonyms_with_unquoted_yes_are_a_mapping_error(mcopy: Path) -> None:
    (mcopy / "synonyms.yaml").write_text("synonyms:\n  Có: [yes, no]\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"synonyms\.yaml"):
        load_mappings(mcopy)
