"""Tests for xlsaddin.units and xlsaddin.text.names."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsaddin.text import names
from xlsaddin.text.names import fold, nfc, normalize_tone_placement, strip_diacritics
from xlsaddin.units import PROVINCE_CODE, Match, Unit, by_code, load_units, resolve

BA_TO, BA_TO_CIRC, LY_SON = 21484, 21523, 21548
SON_HA, SON_HA_DOT, SON_THUY, DANG_THUY_TRAM, DAK_BLA = 21289, 21292, 21319, 21520, 23302


# --- units -----------------------------------------------------------------------------------


def test_exactly_96_units_with_expected_kinds() -> None:
    units = load_units()
    assert PROVINCE_CODE == 51
    assert len(units) == 96
    assert len({u.code for u in units}) == 96
    assert Counter(u.kind for u in units) == {"xã": 86, "phường": 9, "đặc khu": 1}


def test_units_sorted_and_cached() -> None:
    units = load_units()
    assert [u.code for u in units] == sorted(u.code for u in units)
    assert load_units() is units
    assert load_units(51) is units


def test_known_units() -> None:
    assert by_code(BA_TO) == Unit(BA_TO, "Xã Ba Tơ", "xã", "Ba Tơ")
    assert by_code(BA_TO_CIRC).name == "Xã Ba Tô"
    assert by_code(LY_SON) == Unit(LY_SON, "Đặc khu Lý Sơn", "đặc khu", "Lý Sơn")
    assert by_code(DAK_BLA).kind == "phường"
    assert by_code(DAK_BLA).short_name == "Đăk BLa"


def test_short_name_is_name_without_prefix() -> None:
    for unit in load_units():
        assert unit.name == f"{unit.kind.capitalize()} {unit.short_name}"


def test_by_code_unknown_raises_key_error() -> None:
    with pytest.raises(KeyError, match="99999"):
        by_code(99999)


NFD_BA_TO = unicodedata.normalize("NFD", "Ba Tơ")
assert NFD_BA_TO != "Ba Tơ"

# (input, expected): an int code, ("ambiguous", {codes}) or "unknown".
CASES: list[tuple[str | int, int | str | tuple[str, set[int]]]] = [
    ("Xã Ba Tơ", BA_TO),
    ("ba tơ", BA_TO),
    ("BA TƠ", BA_TO),
    (NFD_BA_TO, BA_TO),
    ("Xã " + NFD_BA_TO, BA_TO),
    ("  Xã   Ba Tơ ", BA_TO),
    ("Xã\u00a0Ba Tơ", BA_TO),
    ("xa ba tơ", BA_TO),
    ("X. Ba Tơ", BA_TO),
    ("xa ba to", ("ambiguous", {BA_TO, BA_TO_CIRC})),
    ("Ba To", ("ambiguous", {BA_TO, BA_TO_CIRC})),
    ("Ba Tô", BA_TO_CIRC),
    ("Xã Ba Tô", BA_TO_CIRC),
    ("Ba Tớ", "unknown"),
    ("Phường Ba Tơ", "unknown"),
    ("phuong ba to", "unknown"),
    ("Đặc khu Ba Tơ", "unknown"),
    ("Đặc khu Lý Sơn", LY_SON),
    ("Lý Sơn", LY_SON),
    ("ly son", LY_SON),
    ("LÝ SƠN", LY_SON),
    ("ĐK Lý Sơn", LY_SON),
    ("dac khu ly son", LY_SON),
    ("Xã Lý Sơn", "unknown"),
    ("21548", LY_SON),
    (" 21548 ", LY_SON),
    ("21548.0", LY_SON),
    (21548, LY_SON),
    (21484, BA_TO),
    (99999, "unknown"),
    ("99999", "unknown"),
    ("son ha", ("ambiguous", {SON_HA, SON_HA_DOT})),
    ("Xã Son Ha", ("ambiguous", {SON_HA, SON_HA_DOT})),
    ("Sơn Hạ", SON_HA_DOT),
    ("Sơn Hà", SON_HA),
    ("Sơn Há", "unknown"),
    ("Đăk BLa", DAK_BLA),
    ("đăk bla", DAK_BLA),
    ("dak bla", DAK_BLA),
    ("P. Đăk Bla", DAK_BLA),
    ("Phường Đăk-BLa", DAK_BLA),
    ("Xã Đăk BLa", "unknown"),
    # Tone placement: official names are 'Sơn Thủy' and 'Đặng Thùy Trâm' (old style).
    ("Sơn Thủy", SON_THUY),
    ("Sơn Thuỷ", SON_THUY),
    ("xã sơn thuỷ", SON_THUY),
    ("son thuy", SON_THUY),
    ("Đặng Thuỳ Trâm", DANG_THUY_TRAM),
    ("Hà Nội", "unknown"),
    ("", "unknown"),
    ("   ", "unknown"),
    ("Xã", "unknown"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_resolve(text: str | int, expected: int | str | tuple[str, set[int]]) -> None:
    match = resolve(text)
    if isinstance(expected, int):
        assert match.status == "found"
        assert match.unit is not None
        assert match.unit.code == expected
        assert match.candidates == (match.unit,)
    elif expected == "unknown":
        assert match.status == "unknown"
        assert match.unit is None
    else:
        assert isinstance(expected, tuple)
        assert match.status == "ambiguous"
        assert match.unit is None
        assert {u.code for u in match.candidates} == expected[1]
        assert [u.code for u in match.candidates] == sorted(expected[1])


def test_unknown_candidates_are_hints_only() -> None:
    # Prefix disagrees with the unit type: the unit is a hint, not a match.
    wrong_kind = resolve("Phường Ba Tơ")
    assert wrong_kind == Match("unknown", None, (by_code(BA_TO),))
    # Typed diacritics differ: both units with the same letters are hints.
    wrong_tone = resolve("Ba Tớ")
    assert wrong_tone.status == "unknown"
    assert {u.code for u in wrong_tone.candidates} == {BA_TO, BA_TO_CIRC}
    assert resolve("Hà Nội").candidates == ()


def test_resolve_with_custom_units() -> None:
    units = [by_code(BA_TO), by_code(LY_SON)]
    assert resolve("ba to", units).unit == by_code(BA_TO)
    assert resolve("Ba Tô", units).status == "unknown"
    assert resolve(BA_TO_CIRC, units).status == "unknown"


def test_resolve_rejects_bool() -> None:
    assert resolve(True).status == "unknown"


def test_every_unit_resolves_by_name_code_and_short_name() -> None:
    for unit in load_units():
        assert resolve(unit.name).unit == unit
        assert resolve(unit.short_name).unit == unit
        assert resolve(str(unit.code)).unit == unit
        assert resolve(unicodedata.normalize("NFD", unit.name.upper())).unit == unit


# --- text.names ------------------------------------------------------------------------------


def test_nfc() -> None:
    assert nfc(unicodedata.normalize("NFD", "Lý Sơn")) == "Lý Sơn"
    assert nfc("  Xã \t Ba\u00a0\u00a0Tơ \n") == "Xã Ba Tơ"
    assert nfc("Ba\u200b Tơ") == "Ba Tơ"
    assert nfc("") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hoà", "Hòa"),
        ("Hòa", "Hòa"),
        ("HOÀ", "HÒA"),
        ("Hoá", "Hóa"),
        ("thuỷ", "thủy"),
        ("Sơn Thuỷ", "Sơn Thủy"),
        ("khoẻ", "khỏe"),
        ("Uý", "Úy"),
        ("Quý", "Quý"),
        ("Qúy", "Quý"),
        ("Quỳnh", "Quỳnh"),
        ("Hùynh", "Huỳnh"),
        ("Hoàng", "Hoàng"),
        ("Hòang", "Hoàng"),
        ("hòai", "hoài"),
        ("Nguyễn", "Nguyễn"),
        ("Khuỷu", "Khuỷu"),
        ("Hoa", "Hoa"),
        ("Ngọk Réo", "Ngọk Réo"),
        (unicodedata.normalize("NFD", "Hoà"), "Hòa"),
    ],
)
def test_normalize_tone_placement(text: str, expected: str) -> None:
    assert normalize_tone_placement(text) == expected
    assert normalize_tone_placement(expected) == expected


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        st.sampled_from("aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐð qQ ") | st.characters(codec="utf-8"),
        max_size=260,
    )
)
def test_fold_remembered_is_fold(text: str) -> None:
    """Short texts come from fold's memo, long ones are folded each time: either way the
    key is the one folding gives, asked once or again, in NFC or decomposed."""
    key = names._fold(text)
    assert fold(text) == key
    assert fold(text) == key  # the remembered answer
    decomposed = unicodedata.normalize("NFD", text)
    assert fold(decomposed) == names._fold(decomposed)
    assert names._fold_memo.cache_info().currsize <= 8192


def test_fold() -> None:
    assert fold("  Phường  HOÀ Bình ") == "phường hòa bình"
    assert fold("Sơn Thuỷ") == fold("SƠN THỦY") == "sơn thủy"
    assert fold(unicodedata.normalize("NFD", "Ba Tơ")) == "ba tơ"
    assert fold("Ba Tơ") != fold("Ba Tô")
    assert fold("\u00d0ăk") == "đăk"


def test_strip_diacritics() -> None:
    assert strip_diacritics("Đặc khu Lý Sơn") == "Dac khu Ly Son"
    assert strip_diacritics("đăk bla") == "dak bla"
    assert strip_diacritics(unicodedata.normalize("NFD", "Ngọk Tụ")) == "Ngok Tu"
    assert strip_diacritics("Ba Tơ") == strip_diacritics("Ba Tô") == "Ba To"
    assert strip_diacritics("ascii") == "ascii"


def test_units_from_the_data_file_equal_the_package_api() -> None:
    """load_units reads vietnam-provinces' published JSON (fast); its Python API is the
    fallback. Both give the same units for every province."""
    from vietnam_provinces import Province

    from xlsaddin.units import _wards_from_data_file, _wards_from_modules

    for province in Province.iter_all():
        code = int(province.code)
        from_file = _wards_from_data_file(code)
        assert from_file is not None, code
        assert sorted(from_file) == sorted(_wards_from_modules(code)), code
    assert _wards_from_data_file(99) is None
    with pytest.raises(ValueError):
        load_units(99)
