"""The report covers the thematic outline (items 1-5): new figures, the communes' own words."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsaddin.consolidate import Consolidation, consolidate
from xlsaddin.demo import DemoResult
from xlsaddin.forms import Filled, write_workbook
from xlsaddin.report import ReportResult, make_report
from xlsaddin.report.spec import TextAnnexSpec
from xlsaddin.report.templates import Figure, render_figure
from xlsaddin.report.texts import NAMED_MAX, NOTHING, _groups, normalised
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.spec.loader import SpecError
from xlsaddin.units import by_code

from .conftest import publish_plain
from .paths import MAPPINGS

BA_TO, BA_GIA, SON_HA, CAM_THANH = 21484, 21205, 21289, 21025


def _criteria(mappings: Mappings, **changed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    rows = mappings.appendix("tieu_chi_ha_tang").table.rows
    assert isinstance(rows, tuple)
    out = {r.key: {"ket_qua": "Đạt", "so_luong": 2} for r in rows}
    out.update(changed)
    return out


def _difficulties(**rows: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = ("phap_ly", "ha_tang", "trung_tam_hcc", "nhan_luc", "tai_chinh", "tthc")
    out: dict[str, dict[str, Any]] = {k: {"co_kho_khan": "Không"} for k in keys}
    out.update(rows)
    return out


def _tthc(procedures: int) -> dict[str, dict[str, Any]]:
    zero = dict.fromkeys(
        ("ky_truoc_chuyen_sang", "cham_tiep_nhan", "cham_cap_nhat", "qua_han_da_giai_quyet"), 0
    ) | {"qua_han_dang_xu_ly": 0, "qua_han_luy_ke": 0}
    rows = {}
    for key, n, received, online in (
        ("toan_trinh", procedures, 100, 100),
        ("mot_phan", 78, 50, 20),
        ("truc_tiep", 12, 10, 0),
    ):
        rows[key] = {
            "so_tthc": n,
            "tiep_nhan": received,
            "tiep_nhan_truc_tuyen": online,
            "tiep_nhan_truc_tiep": received - online,
            "dung_han": received,
            **zero,
        }
    return rows


@pytest.fixture(scope="module")
def province(
    mappings: Mappings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Consolidation, Path]:
    inbox = tmp_path_factory.mktemp("outline_inbox")
    infra = mappings.appendix("tieu_chi_ha_tang")
    hard = mappings.appendix("kho_khan")
    tthc = mappings.appendix("ket_qua_tthc")
    same = "Đường truyền mạng không ổn định"
    files: list[tuple[int, Any, Any]] = [
        (BA_TO, infra, _criteria(mappings, may_lay_so={"ket_qua": "Chưa đạt", "so_luong": 0})),
        (BA_GIA, infra, _criteria(mappings, may_lay_so={"ket_qua": "Chưa đạt", "so_luong": 1})),
        (SON_HA, infra, _criteria(mappings)),
        (
            BA_TO,
            hard,
            _difficulties(ha_tang={"co_kho_khan": "Có", "kho_khan": same, "de_xuat": "Nâng cấp"}),
        ),
        (
            BA_GIA,
            hard,
            _difficulties(
                ha_tang={
                    "co_kho_khan": "Có",
                    "kho_khan": "  ĐƯỜNG TRUYỀN mạng  không ổn định. ",
                    "de_xuat": "nâng cấp",
                }
            ),
        ),
        (SON_HA, hard, _difficulties()),
        (BA_TO, tthc, _tthc(142)),
        (BA_GIA, tthc, _tthc(142)),
        (SON_HA, tthc, _tthc(140)),
    ]
    for n, (code, spec, rows) in enumerate(files):
        unit = by_code(code)
        write_workbook(mappings, spec, inbox / f"{n}.xlsx", unit=unit, fill=Filled(rows=rows))
    result = consolidate([inbox], mappings, processes=1)
    out = tmp_path_factory.mktemp("outline_out") / "T.xlsx"
    return result, publish_plain(result, mappings, out).workbook


def _headlines(result: Consolidation, appendix: str) -> dict[str, Any]:
    app = next(a for a in result.appendices if a.spec.id == appendix)
    return {h.key: h for h in app.headlines}


def test_none_and_not_enough_are_told_apart(province: tuple[Consolidation, Path]) -> None:
    figures = _headlines(province[0], "tieu_chi_ha_tang")
    assert figures["lacking.may_lay_so"].names == ["Xã Ba Tơ"]  # quantity 0: "chưa có"
    assert figures["short.may_lay_so"].names == ["Xã Ba Gia"]  # quantity 1: "chưa đủ"
    assert figures["lacking.kiosk"].value == 0 and figures["short.kiosk"].value == 0


def test_procedures_are_what_most_units_report(province: tuple[Consolidation, Path]) -> None:
    figures = _headlines(province[0], "ket_qua_tthc")
    assert figures["so_tthc.toan_trinh"].value == 142  # not 424, a sum over units
    assert figures["so_tthc.toan_trinh"].names == ["Xã Sơn Hà"]  # reported 140
    assert figures["so_tthc.mot_phan"].value == 78 and figures["so_tthc.mot_phan"].names == []
    # dossiers by form add up to the dossiers received, and so do their shares
    parts = [figures[k].value for k in ("tn_toan_trinh", "tn_mot_phan", "tn_truc_tiep")]
    assert parts == [300, 150, 30] and sum(parts) == figures["tiep_nhan"].value == 480


def test_units_with_difficulties_are_counted_and_named(
    province: tuple[Consolidation, Path],
) -> None:
    figures = _headlines(province[0], "kho_khan")
    assert figures["co_kho_khan.ha_tang"].value == 2
    assert figures["co_kho_khan.ha_tang"].names == ["Xã Ba Gia", "Xã Ba Tơ"]
    assert figures["co_kho_khan.phap_ly"].value == 0
    assert figures["bat_ky"].value == 2


@pytest.fixture(scope="module")
def report(province: tuple[Consolidation, Path], mappings: Mappings) -> ReportResult:
    workbook = province[1]
    return make_report(workbook, mappings, workbook.with_name("BaoCao.docx"))


def test_the_communes_words_are_compiled_identical_answers_merged(report: ReportResult) -> None:
    [annex] = [a for a in report.built.doc.annex if a.title.startswith("KHÓ KHĂN")]
    [table] = [t for t in annex.tables if t.title.startswith("Về hạ tầng")]
    # one answer (spacing, case and the final full stop do not make another), two units
    first, nothing = table.rows
    assert first[1] == "Đường truyền mạng không ổn định" and first[-1] == "Xã Ba Gia; Xã Ba Tơ"
    assert nothing[1] == "Không" and nothing[-1] == "Xã Sơn Hà"
    # the items nobody had a difficulty with: everybody in one "Không" line
    [legal] = [t for t in annex.tables if t.title.startswith("Về pháp lý")]
    assert [r[1] for r in legal.rows] == ["Không"]


def test_report_follows_the_outline(report: ReportResult) -> None:
    document = docx.Document(str(report.docx))
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in (
        "1. Về pháp lý",
        "2. Về hạ tầng kỹ thuật, công nghệ",
        "3. Về nguồn lực",
        "a) Nguồn nhân lực",
        "b) Nguồn lực về tài chính",
        "4. Kết quả thực hiện thủ tục hành chính",
        "NHẬN XÉT, KIẾN NGHỊ, ĐỀ XUẤT",
    ):
        assert heading in text, heading
    # appendices nobody returned say so; those returned give their figures
    assert "Chưa có số liệu: chưa có xã, phường, đặc khu nào gửi PL05." in text
    assert "Hiện còn 1/96 địa phương chưa có máy lấy số xếp hàng tự động: xã Ba Tơ." in text
    assert "Còn 1/96 địa phương chưa đủ máy lấy số xếp hàng tự động: xã Ba Gia." in text
    assert "trực tuyến toàn trình: 142 thủ tục" in text
    assert "1 đơn vị báo cáo số thủ tục toàn trình khác" in text
    labels = [a.label for a in report.built.doc.annex]
    assert labels[:3] == ["Phụ lục I", "Phụ lục II", "Phụ lục III"]
    assert report.built.refused == []


def test_demo_report_covers_items_1_to_5(demo: DemoResult, mappings: Mappings) -> None:
    from xlsaddin.pipeline import Outputs, run_consolidation

    out = demo.out_dir / "outline_check" / "T.xlsx"
    run = run_consolidation(
        [demo.inbox], mappings, outputs=Outputs(workbook=out, report_docx=out.with_suffix(".docx"))
    )
    assert run.report is not None
    built = run.report.built
    assert built.refused == []
    assert all(":change" in s for s in built.skipped)  # no previous period in the demo
    headings = [s.heading for s in built.doc.sections]
    assert any(h.endswith("Về pháp lý") for h in headings)
    assert any(h.endswith("Nguồn nhân lực") for h in headings)
    assert any(h.endswith("NHẬN XÉT, KIẾN NGHỊ, ĐỀ XUẤT") for h in headings)
    compiled = built.doc.annex[2:]
    assert [a.label for a in compiled] == ["Phụ lục III", "Phụ lục IV", "Phụ lục V", "Phụ lục VI"]
    assert all(a.tables for a in compiled)
    # headings name what was compiled, without the form's instruction to the commune
    headers = {h for a in compiled for t in a.tables for h in t.headers}
    assert "Nhận xét, kiến nghị" in headers and not any("(ghi" in h for h in headers)
    # Phụ lục VI lists the documents the sentence counts, at the units it names (the PL05
    # sheet has a "Tình trạng" of its own beside the submission status: the right one)
    [late_docs] = [a for a in compiled if a.title.startswith("VĂN BẢN CHƯA BAN HÀNH")]
    listed = [r for t in late_docs.tables for r in t.rows if r[1] != "Không"]
    units = {u for r in listed for u in r[-1].split("; ")}
    figures = built.context.figures
    assert listed and len(units) == figures["van_ban.don_vi_cham"].value
    assert len(listed) <= figures["van_ban.chua_ban_hanh"].value  # identical ones merged
    for a in compiled:  # every unit is named once per answer, or counted in "Không"
        for t in a.tables:
            for row in t.rows:
                units = row[-1].split("; ")
                assert len(units) == len(set(units)), (t.title, row[1])
    paragraphs = [p for s in built.doc.sections for p in s.paragraphs]
    assert "Tính đến ngày 14/12/2025 mới chỉ có 47/96 xã, phường, đặc khu" in "\n".join(paragraphs)


def test_formats_ty_and_count() -> None:
    money = Figure("du_toan", "Tổng dự toán", 173147.2, "triệu đồng", 1, False)
    assert render_figure(money, "ty", 96) == "173,15"
    named = Figure("so_tthc.toan_trinh", "Số TTHC", 142, "", 0, False, names="Xã A; Xã B")
    assert render_figure(named, "count", 96) == "2"


def test_answers_compare_as_officers_read_them() -> None:
    assert normalised("  Đường  truyền KÉM. ") == normalised("đường truyền kém")
    assert normalised("Hoà") == normalised("Hoà")


def test_two_appendices_may_not_share_a_code(tmp_path: Path) -> None:
    root = tmp_path / "mappings"
    shutil.copytree(MAPPINGS, root)
    extra = root / "appendices" / "99_trung.yaml"
    data = yaml.safe_load((root / "appendices" / "06_nhan_luc.yaml").read_text(encoding="utf-8"))
    data.update(id="trung", file_name="PL99_Trung.xlsx")  # code stays PL06
    extra.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError, match="PL06"):
        load_mappings(root)


ANSWERS = ("", "Không", "không.", "Thiếu máy", "thiếu  máy.", "Mất mạng")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 24), st.sampled_from(ANSWERS), st.booleans()),
        max_size=80,
    )
)
def test_every_unit_that_returned_is_named_once_or_counted(
    entries: list[tuple[int, str, bool]],
) -> None:
    """A free table gives a unit many rows (documents): each answer names a unit once, and
    the "Không" line holds exactly the units that returned the appendix and answered
    nothing (named when few, counted otherwise): no unit twice, none lost."""
    rows = [[f"Xã {u:02d}", "Chưa nộp" if late else "Đã nộp", text] for u, text, late in entries]
    annex = TextAnnexSpec(appendix="x", title="t", columns=("kho_khan",))
    groups = _groups(rows, {"unit": 0, "status": 1, "kho_khan": 2}, annex, ("kho_khan",))
    returned = {r[0] for r in rows if r[1] == "Đã nộp"}
    answers = [g for g in groups if g.texts[0] != NOTHING]
    for g in answers:
        assert len(g.units) == len(set(g.units)) and g.texts[0].strip()
        assert normalised(g.texts[0]) not in {"", "không"}
    named = {u for g in answers for u in g.units}
    silent = returned - named
    assert named <= returned
    assert len(answers) == len({normalised(g.texts[0]) for g in answers})  # merged
    if not silent:
        assert all(g.texts[0] != NOTHING for g in groups)
        return
    assert groups[-1].texts[0] == NOTHING
    if len(silent) <= NAMED_MAX:
        assert sorted(groups[-1].units) == sorted(silent)
    else:
        assert groups[-1].units == [
            f"{len(silent)} đơn vị còn lại" if answers else f"{len(silent)} đơn vị"
        ]
