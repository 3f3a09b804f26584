"""Every figure can be trusted (issue 11): the cases that went wrong, one test each.

Nothing dropped silently (long task tables, entries below the table, unknown units),
a blank is never a zero or a "no", every stated breakdown adds up (or the report
refuses it), recovered values count like typed ones, and an appendix nobody returned
has no figures. The property-based suite (``test_properties.py``) checks the same
invariants on random inboxes; the golden test (``test_golden_tasks.py``) on a
department table of 112 tasks.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from tests.cli_runner import CliRunner
from xlsaddin.cli import app
from xlsaddin.consolidate import Consolidation, consolidate
from xlsaddin.core.sheets import ISSUES, STATUS, SUMMARY, SUMMARY_KEY_COL, TASKS
from xlsaddin.demo import DemoResult
from xlsaddin.forms import Filled, compute_layout, write_workbook
from xlsaddin.report import ReportResult, make_report
from xlsaddin.report.reconcile import Disagree, check
from xlsaddin.report.templates import Context, Figure, fill
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.units import Unit, by_code
from xlsaddin.validate.run import validate_paths

from .conftest import ROOT, finance_workbook, publish_plain

CLOSING = dt.date(2025, 12, 15)
runner = CliRunner()


def _publish(result: Consolidation, mappings: Mappings, folder: Path) -> Path:
    return publish_plain(result, mappings, folder / "TongHop.xlsx", folder / "r.json").workbook


def _grid(path: Path, sheet: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _figures(path: Path) -> dict[str, object]:
    out = {}
    for row in _grid(path, SUMMARY):
        if len(row) > SUMMARY_KEY_COL and row[SUMMARY_KEY_COL]:
            out[str(row[SUMMARY_KEY_COL])] = row[1]
    return out


def _text(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def _criteria(mappings: Mappings, **changes: dict[str, object]) -> dict[str, dict[str, object]]:
    spec = mappings.appendix("tieu_chi_ha_tang")
    rows: dict[str, dict[str, object]] = {
        r.key: {"ket_qua": "Đạt", "so_luong": 2}
        for r in spec.table.rows  # type: ignore[union-attr]
    }
    for key, values in changes.items():
        rows[key] = values
    return rows


# -- capacity: every entry is read, an entry beyond the table is an error naming the row -----


def test_task_template_holds_a_few_hundred_tasks_and_prints_well(mappings: Mappings) -> None:
    spec = mappings.appendix("nhiem_vu")
    layout = compute_layout(spec, mappings.header_of(spec))
    assert len(layout.data_rows) >= 300
    book = load_workbook(ROOT / "workbooks" / spec.file_name)
    ws = book[spec.sheet_name]
    # the header rows are repeated on every printed page, the width fits one page
    assert ws.print_title_rows == f"${layout.table_top + 1}:${layout.number_row + 1}"
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    # every row of the table takes the drop-down and the date validation
    last = layout.last_data_row + 1
    ranges = [str(dv.sqref) for dv in ws.data_validations.dataValidation]
    assert any(r.endswith(str(last)) for r in ranges), ranges


def test_entries_below_the_table_are_errors_naming_the_row(
    mappings: Mappings, tmp_path: Path
) -> None:
    spec = mappings.appendix("nhiem_vu")
    layout = compute_layout(spec, mappings.header_of(spec))
    path = tmp_path / "pl04.xlsx"
    task = {
        "ten_nhiem_vu": "Số hóa hồ sơ",
        "thoi_han": dt.date(2025, 6, 30),
        "ket_qua": "Đang thực hiện",
    }
    write_workbook(mappings, spec, path, unit=by_code(21484), fill=Filled(rows=[task]))
    book = load_workbook(path)
    ws = book[spec.sheet_name]
    col = {c.key: i + 1 for i, c in enumerate(spec.table.columns)}
    spacer = layout.last_data_row + 2  # 1-based: the row right below the table
    ws.cell(spacer, col["ten_nhiem_vu"]).value = "Nhiệm vụ thứ 301"
    below = layout.last_row + 4  # under the signature block
    ws.cell(below, col["ten_nhiem_vu"]).value = "Nhiệm vụ thứ 302"
    ws.cell(below, col["thoi_han"]).value = "31/08/2025"
    ws.cell(below + 2, col["thoi_han"]).value = "Nguyễn Văn A"  # the signer's name: not an entry
    book.save(path)
    [result] = validate_paths([path], mappings, processes=1).files
    beyond = [i for i in result.issues if i.code == "row-beyond-capacity"]
    assert [(i.severity, i.row) for i in beyond] == [
        ("error", f"Dòng {spacer}"),
        ("error", f"Dòng {below}"),
    ]
    assert "Nhiệm vụ thứ 301" in beyond[0].message and "Nhiệm vụ thứ 302" in beyond[1].message


def test_a_foreign_row_without_a_name_is_still_an_entry(mappings: Mappings, tmp_path: Path) -> None:
    from .tasks_sheet import write_task_sheet

    path = tmp_path / "nv.xlsx"
    rows: list[Any] = [
        [1, "Rà soát TTHC", None, "30/06/2025", "Đang thực hiện", None, None],
        [2, None, None, "15/11/2025", "Chưa thực hiện", None, None],  # name forgotten
        ["HEADER"],  # the header again after a page break
        [None, None, None, None, None, "(xem tiếp trang sau)", None],  # a lone line
    ]
    where = write_task_sheet(path, "Xã Ba Tơ", rows)
    [result] = validate_paths([path], mappings, closing_date=CLOSING, processes=1).files
    assert result.table is not None and len(result.table.rows) == 2
    codes = {(i.code, i.row) for i in result.issues}
    assert ("required-missing", "Dòng " + str(where[1])) in codes
    assert ("task-overdue", "Dòng " + str(where[1])) in codes
    [lone] = [i for i in result.issues if i.code == "row-not-read"]
    assert lone.row == f"Dòng {where[3]}" and lone.severity == "warning"


# -- a unit that is not one of the 96 -------------------------------------------------------


def test_unknown_unit_code_is_an_error_listed_everywhere(
    mappings: Mappings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    stranger = Unit(99999, "Xã Không Có", "xã", "Không Có")
    spec = mappings.appendix("tieu_chi_ha_tang")
    write_workbook(
        mappings, spec, inbox / "la.xlsx", unit=stranger, fill=Filled(rows=_criteria(mappings))
    )
    write_workbook(
        mappings,
        spec,
        inbox / "ok.xlsx",
        unit=by_code(21484),
        fill=Filled(rows=_criteria(mappings)),
    )
    [strange] = [
        f for f in validate_paths([inbox], mappings, processes=1).files if f.name == "la.xlsx"
    ]
    [unknown] = [i for i in strange.issues if i.code == "unit-unknown"]
    assert unknown.severity == "error" and unknown.value == "99999"
    result = consolidate([inbox], mappings, processes=1)
    states = {s.result.name: s.state for s in result.submissions}
    assert states == {"la.xlsx": "rejected", "ok.xlsx": "accepted"}
    out = _publish(result, mappings, tmp_path)
    issues = _grid(out, ISSUES)
    assert any(r[4] == "la.xlsx" and r[7] == "unit-unknown" for r in issues)
    status = _grid(out, STATUS)
    [listed] = [r for r in status if len(r) > 3 and r[2] == "la.xlsx"]
    reason = " ".join(str(v) for v in listed[4:] if v)  # the reason spans several columns
    assert listed[1] == 99999 and listed[3] == "Bị từ chối" and "99999" in reason
    assert _figures(out)["tieu_chi_ha_tang:_submitted"] == 1


# -- blank is not zero, not "no" --------------------------------------------------------------


def test_a_blank_criterion_is_not_reported_never_lacking(
    mappings: Mappings, tmp_path: Path
) -> None:
    """Kiosk and queue machine left blank with quantity 4: "chưa báo cáo", not "chưa có"."""
    inbox = tmp_path / "inbox"
    spec = mappings.appendix("tieu_chi_ha_tang")
    blank = _criteria(
        mappings,
        may_lay_so={"ket_qua": None, "so_luong": 4},
        kiosk={"ket_qua": None, "so_luong": 4},
    )
    lacking = _criteria(mappings, may_lay_so={"ket_qua": "Chưa đạt", "so_luong": 0})
    write_workbook(mappings, spec, inbox / "a.xlsx", unit=by_code(21484), fill=Filled(rows=blank))
    write_workbook(mappings, spec, inbox / "b.xlsx", unit=by_code(21025), fill=Filled(rows=lacking))
    result = consolidate([inbox], mappings, processes=1)
    [pl01] = [a for a in result.appendices if a.spec.id == spec.id]
    figures = {h.key: h for h in pl01.headlines}
    assert figures["lacking.may_lay_so"].names == ["Phường Cẩm Thành"]
    assert figures["lacking.kiosk"].value == 0
    assert (figures["units_all"].value, figures["units_some"].value) == (0, 1)
    assert figures["units_unreported"].value == 1 and figures["_missing"].value == 94
    out = _publish(result, mappings, tmp_path)
    made = make_report(out, mappings, tmp_path / "r.docx")
    text = _text(made.docx)
    assert "Hiện còn 1/96 địa phương chưa có máy lấy số xếp hàng tự động: phường Cẩm Thành." in text
    assert "Xã Ba Tơ" not in text
    assert "0/1/0/96; 1 đơn vị chưa báo cáo đủ các tiêu chí; 94 đơn vị chưa nộp báo cáo." in text


def test_blank_total_is_not_zero_and_parts_add_up(mappings: Mappings, tmp_path: Path) -> None:
    """A unit left "Tổng số" blank but filled the parts: the row is left out of every PL03
    figure and named; the sentence's parts add up to its total."""
    import random

    from xlsaddin.demo.values import tthc_rows

    inbox = tmp_path / "inbox"
    spec = mappings.appendix("ket_qua_tthc")
    good = tthc_rows(random.Random(1))
    bad = tthc_rows(random.Random(2))
    bad["mot_phan"]["tiep_nhan"] = None
    write_workbook(mappings, spec, inbox / "a.xlsx", unit=by_code(21484), fill=Filled(rows=good))
    write_workbook(mappings, spec, inbox / "b.xlsx", unit=by_code(21025), fill=Filled(rows=bad))
    result = consolidate([inbox], mappings, processes=1)
    out = _publish(result, mappings, tmp_path)
    fig = _figures(out)
    kept = [good[k] for k in good] + [bad["toan_trinh"], bad["truc_tiep"]]
    assert fig["ket_qua_tthc:tiep_nhan"] == sum(r["tiep_nhan"] for r in kept)
    assert fig["ket_qua_tthc:truc_tuyen"] == sum(r["tiep_nhan_truc_tuyen"] for r in kept)
    assert (
        fig["ket_qua_tthc:truc_tuyen"] + fig["ket_qua_tthc:truc_tiep"]
        == fig["ket_qua_tthc:tiep_nhan"]
    )  # type: ignore[operator]
    assert fig["ket_qua_tthc:_excluded"] == 1
    made = make_report(out, mappings, tmp_path / "r.docx")
    assert made.built.refused == []
    text = _text(made.docx)
    assert "(không tính số liệu chưa đầy đủ hoặc chưa khớp của 1 đơn vị: phường Cẩm Thành)" in text
    online = 100 * fig["ket_qua_tthc:truc_tuyen"] / fig["ket_qua_tthc:tiep_nhan"]  # type: ignore[operator]
    assert fig["ket_qua_tthc:ty_le_truc_tuyen"] == round(online, 1)


def test_nobody_returned_an_appendix_no_figures_and_the_report_builds(
    mappings: Mappings, tmp_path: Path
) -> None:
    """Only a finance file: no PL03 (the pie chart used to crash), PL01 and PL04 either."""
    inbox = tmp_path / "inbox"
    finance_workbook(mappings, inbox / "pl02.xlsx")
    result = consolidate([inbox], mappings, processes=1)
    for appr in result.appendices:
        if appr.spec.id == "nguon_luc_tai_chinh":
            continue
        assert all(h.value is None for h in appr.headlines if h.key != "_missing"), appr.spec.id
    out = _publish(result, mappings, tmp_path)
    fig = _figures(out)
    assert fig["ket_qua_tthc:tiep_nhan"] == "chưa có số liệu"
    assert fig["nhiem_vu:tong_so"] == "chưa có số liệu"
    made = make_report(out, mappings, tmp_path / "r.docx")
    text = _text(made.docx)
    assert "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi PL03." in text
    assert "Tổng số 0 nhiệm vụ" not in text and "Tổng số hồ sơ" not in text
    captions = [i.caption for s in made.built.doc.sections for i in s.images]
    assert [c.split(". ", 1)[1] for c in captions] == ["Tỷ lệ giải ngân theo loại đơn vị (%)"]


def test_returns_of_only_zeros_leave_the_pie_out(mappings: Mappings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    spec = mappings.appendix("ket_qua_tthc")
    zero = {
        r.key: {c.key: 0 for c in spec.table.columns if c.is_numeric and c.is_input}
        for r in spec.table.rows  # type: ignore[union-attr]
        if r.kind == "input"
    }
    write_workbook(mappings, spec, inbox / "z.xlsx", unit=by_code(21484), fill=Filled(rows=zero))
    out = _publish(consolidate([inbox], mappings, processes=1), mappings, tmp_path)
    made = make_report(out, mappings, tmp_path / "r.docx")
    assert not [i for s in made.built.doc.sections for i in s.images if "hình thức" in i.caption]
    [table] = [t for s in made.built.doc.sections for t in s.tables if "thủ tục" in t.title]
    received = [r for r in table.rows if r[0] == "Tổng số hồ sơ tiếp nhận"]
    assert [r[:2] for r in received] == [["Tổng số hồ sơ tiếp nhận", "0"]]  # zero is shown
    assert made.built.refused == []


# -- recovered values count like typed ones --------------------------------------------------


def test_a_deadline_typed_as_text_counts_as_overdue(mappings: Mappings, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    spec = mappings.appendix("nhiem_vu")
    tasks = [
        {"ten_nhiem_vu": "Gõ ngày dạng chữ", "thoi_han": "15/11/2025", "ket_qua": "Đang thực hiện"},
        {
            "ten_nhiem_vu": "Ngày thật",
            "thoi_han": dt.date(2025, 11, 15),
            "ket_qua": "Chưa thực hiện",
        },
        {"ten_nhiem_vu": "Chưa đến hạn", "thoi_han": "15/01/2026", "ket_qua": "Đang thực hiện"},
        {"ten_nhiem_vu": "Chưa ghi kết quả", "thoi_han": "15/10/2025"},
    ]
    write_workbook(mappings, spec, inbox / "nv.xlsx", unit=by_code(21484), fill=Filled(rows=tasks))
    result = consolidate([inbox], mappings, processes=1)
    # validation keeps the check sheet's verdict: the text is a date-as-text error there
    assert {i.code for i in result.issues} >= {"date-as-text"}
    assert [t.name for t in result.tasks] == ["Gõ ngày dạng chữ", "Ngày thật"]
    late = (mappings.project.period().closing_date - dt.date(2025, 11, 15)).days
    assert all(t.days == late for t in result.tasks)
    out = _publish(result, mappings, tmp_path)
    assert _figures(out)["nhiem_vu:qua_han"] == 2
    listed = [r[3] for r in _grid(out, TASKS)[4:] if len(r) > 3 and r[3]]
    assert sorted(listed) == ["Gõ ngày dạng chữ", "Ngày thật"]
    made = make_report(out, mappings, tmp_path / "r.docx")
    [annex] = [t for s in made.built.doc.annex for t in s.tables if "Thời hạn" in t.headers]
    assert [r[2] for r in annex.rows] == ["Gõ ngày dạng chữ", "Ngày thật"]
    assert [r[3] for r in annex.rows] == ["15/11/2025", "15/11/2025"]
    text = _text(made.docx)
    assert (
        "Tổng số 4 nhiệm vụ, trong đó: đã hoàn thành 0, đang thực hiện 2, chưa thực hiện 1, "
        in text
    )
    assert "1 nhiệm vụ chưa ghi kết quả; có 2 nhiệm vụ quá hạn" in text


# -- every stated breakdown adds up, or the report refuses it --------------------------------


def _fig(key: str, value: float | None, label: str = "") -> Figure:
    return Figure(key=key, label=label or key, value=value, unit="", decimals=0, percent=False)


def test_reconcile_refuses_parts_that_do_not_add_up(mappings: Mappings) -> None:
    figures = {
        "nhiem_vu.tong_so": _fig("tong_so", 927, "Tổng số nhiệm vụ"),
        "nhiem_vu.da_hoan_thanh": _fig("da_hoan_thanh", 504),
        "nhiem_vu.dang_thuc_hien": _fig("dang_thuc_hien", 276),
        "nhiem_vu.chua_thuc_hien": _fig("chua_thuc_hien", 146),
        "nhiem_vu.chua_ghi_ket_qua": _fig("chua_ghi_ket_qua", 1, "Chưa ghi kết quả"),
    }
    stated = ["nhiem_vu.tong_so", "nhiem_vu.da_hoan_thanh", "nhiem_vu.dang_thuc_hien",
              "nhiem_vu.chua_thuc_hien"]  # fmt: skip
    with pytest.raises(Disagree, match=r"thiếu chưa ghi kết quả \(1\)"):
        check(stated, figures, 96, mappings)
    check([*stated, "nhiem_vu.chua_ghi_ket_qua"], figures, 96, mappings)  # 504+276+146+1
    figures["nhiem_vu.tong_so"] = _fig("tong_so", 928, "Tổng số nhiệm vụ")
    with pytest.raises(Disagree, match=r"927.*không bằng tổng số nhiệm vụ \(928\)"):
        check([*stated, "nhiem_vu.chua_ghi_ket_qua"], figures, 96, mappings)
    # a share ("46/96 xã ... hoàn thành") states one part: no breakdown is claimed
    check(["nhiem_vu.tong_so", "nhiem_vu.da_hoan_thanh"], figures, 96, mappings)
    # a part no usable row reports ("chưa có số liệu") adds nothing: the others must add up
    split = ["nguon_luc_tai_chinh.du_toan", "nguon_luc_tai_chinh.du_toan_dt",
             "nguon_luc_tai_chinh.du_toan_tx"]  # fmt: skip
    money = {
        split[0]: _fig("du_toan", 189.9, "Tổng dự toán"),
        split[1]: _fig("du_toan_dt", None),
        split[2]: _fig("du_toan_tx", 189.9),
    }
    check(split, money, 96, mappings)
    money[split[2]] = _fig("du_toan_tx", 150.0)
    with pytest.raises(Disagree, match="không bằng tổng dự toán"):
        check(split, money, 96, mappings)
    money[split[0]] = _fig("du_toan", None, "Tổng dự toán")
    with pytest.raises(Disagree, match="tổng dự toán không có số liệu"):
        check(split, money, 96, mappings)


def test_optional_parts_name_a_remainder_only_when_there_is_one() -> None:
    ctx = Context(
        figures={"a.x": _fig("x", 3), "a.y": _fig("y", 0), "a.n": _fig("n", 2)},
        fields={"units_total": "96"},
    )
    assert fill("X {a.x}[[, Y {a.y}]][[, N {a.n}]].", ctx) == "X 3, N 2."
    assert [n for n, _ in ctx.last] == ["a.n", "a.x"]
    assert fill("X {a.x}[[, Z {a.z}]].", ctx) == "X 3."


def test_report_refuses_a_sentence_that_hides_a_part(mappings: Mappings, tmp_path: Path) -> None:
    """IT staff drop the remainder from the task sentence: the report does not write it."""
    inbox = tmp_path / "inbox"
    spec = mappings.appendix("nhiem_vu")
    tasks = [
        {"ten_nhiem_vu": "A", "thoi_han": dt.date(2026, 1, 1), "ket_qua": "Đang thực hiện"},
        {"ten_nhiem_vu": "B", "thoi_han": dt.date(2026, 1, 1)},
    ]
    write_workbook(mappings, spec, inbox / "nv.xlsx", unit=by_code(21484), fill=Filled(rows=tasks))
    out = _publish(consolidate([inbox], mappings, processes=1), mappings, tmp_path)
    root = tmp_path / "mappings"
    shutil.copytree(ROOT / "mappings", root)
    report = root / "report.yaml"
    text = report.read_text(encoding="utf-8")
    remainder = "[[, {nhiem_vu.chua_ghi_ket_qua} nhiệm vụ chưa ghi kết quả]]"
    assert remainder in text
    report.write_text(text.replace(remainder, ""), encoding="utf-8")
    changed = load_mappings(root)
    made = make_report(out, changed, tmp_path / "r.docx")
    [reason] = made.built.refused
    assert "thiếu chưa ghi kết quả (1)" in reason and "Tổng số 2 nhiệm vụ" in reason
    assert "Tổng số 2 nhiệm vụ" not in _text(made.docx)
    res = runner.invoke(
        app, ["report", str(out), "--docx", str(tmp_path / "r2.docx"), "--mappings", str(root)]
    )
    assert res.exit_code == 1 and "số liệu không khớp" in res.output


@pytest.fixture(scope="module")
def demo_report(
    demo: DemoResult, mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ReportResult]:
    folder = tmp_path_factory.mktemp("demo-report")
    out = _publish(consolidate([demo.inbox], mappings), mappings, folder)
    return out, make_report(out, mappings, folder / "BaoCao.docx")


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_the_demo_report_has_no_breakdown_that_fails_to_add_up(
    demo_report: tuple[Path, ReportResult], mappings: Mappings
) -> None:
    out, made = demo_report
    assert made.built.refused == []
    fig = _figures(out)
    for spec in mappings.appendices:
        for b in spec.breakdowns:
            total = 96 if b.total == "units_total" else fig[f"{spec.id}:{b.total}"]
            parts = [fig[f"{spec.id}:{p}"] for p in b.parts]
            assert sum(parts) == pytest.approx(total, abs=1e-9), (spec.id, b, parts, total)  # type: ignore[arg-type]
    text = _text(made.docx)
    # the sentences themselves, read back as an officer would add them up
    received = re.search(
        r"tiếp nhận ([\d.]+) hồ sơ, trong đó: trực tuyến ([\d.]+) hồ sơ, trực tiếp ([\d.]+) hồ sơ;"
        r" tỷ lệ nộp trực tuyến ([\d,]+)%",
        text,
    )
    assert received is not None
    total, online, person = (_number(received.group(i)) for i in (1, 2, 3))
    assert online + person == total
    assert round(100 * online / total, 1) == _number(received.group(4))
    tasks = re.search(
        r"Tổng số ([\d.]+) nhiệm vụ, trong đó: đã hoàn thành (\d+), đang thực hiện (\d+), "
        r"chưa thực hiện (\d+)(?:, (\d+) nhiệm vụ chưa ghi kết quả)?;",
        text,
    )
    assert tasks is not None
    assert sum(_number(g) for g in tasks.groups()[1:] if g) == _number(tasks.group(1))
    money = re.search(
        r"được duyệt ([\d.,]+) triệu đồng, trong đó đã phân bổ ([\d.,]+) triệu đồng, "
        r"chưa được phân bổ ([\d.,]+) triệu đồng",
        text,
    )
    assert money is not None
    approved, allocated, pending = (_number(money.group(i)) for i in (1, 2, 3))
    assert round(allocated + pending, 1) == approved
    units = re.search(r"tổng số: (\d+)/(\d+)/(\d+)/96((?:; \d+ đơn vị [^;.]+)*)\.", text)
    assert units is not None
    rest = [int(n) for n in re.findall(r"; (\d+) đơn vị", units.group(4))]
    assert sum(int(units.group(i)) for i in (1, 2, 3)) + sum(rest) == 96


def test_the_demo_blank_criteria_are_not_named_as_lacking(
    demo_report: tuple[Path, ReportResult],
) -> None:
    """Xã Ba Động (21496) left the queue machine and the kiosk blank: not "chưa có"."""
    _, made = demo_report
    lines = [line for line in _text(made.docx).splitlines() if line.startswith("Hiện còn")]
    machine = next(line for line in lines if "máy lấy số" in line)
    kiosk = next(line for line in lines if "ki-ốt" in line)
    assert by_code(21496).name not in machine and by_code(21496).name not in kiosk
