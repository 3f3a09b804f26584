"""Golden tables for xlsaddin.text: numbers, dates, legacy encodings, choice synonyms."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlsaddin.text.answers import normalised, same_answer, says_nothing
from xlsaddin.text.dates import parse_date, serial_to_date
from xlsaddin.text.legacy import LETTERS, convert, detect_encoding, encode, normalize_text
from xlsaddin.text.numbers import format_percent_vi, format_vi, parse_number
from xlsaddin.text.status import load_synonyms, match_choice

from .paths import MAPPINGS

D = dt.date

# ------------------------------------------------------------------------------------ numbers
# (input, integer, expected value, expected status)
NUMBER_CASES: list[tuple[object, bool, float | int | None, str]] = [
    # real numbers
    (2759865, False, 2759865, "ok"),
    (12.5, False, 12.5, "ok"),
    (3.0, True, 3, "ok"),
    (3.5, True, None, "invalid"),
    (7, True, 7, "ok"),
    (Decimal("1.5"), False, 1.5, "ok"),
    (True, False, None, "invalid"),
    (float("nan"), False, None, "invalid"),
    (float("inf"), True, None, "invalid"),
    # blanks
    (None, False, None, "blank"),
    ("", False, None, "blank"),
    ("   ", True, None, "blank"),
    ("\u00a0", False, None, "blank"),
    # Vietnamese style typed as text
    ("1.234.567", False, 1234567, "text"),
    ("1.234.567", True, 1234567, "text"),
    ("2.759.865", True, 2759865, "text"),
    ("12,5", False, 12.5, "text"),
    ("1.234,5", False, 1234.5, "text"),
    ("-3", True, -3, "text"),
    ("−3", True, -3, "text"),
    ("+3", False, 3.0, "text"),
    ("0,5", False, 0.5, "text"),
    ("1234", True, 1234, "text"),
    (" 1 234 567 ", True, 1234567, "text"),
    ("1\u00a0234", True, 1234, "text"),
    ("1,0", True, 1, "text"),
    ("1.000.000,00", False, 1000000, "text"),
    ("12,5", True, None, "invalid"),
    # ambiguity
    ("1.234", True, 1234, "text"),
    ("-1.234", True, -1234, "text"),
    ("1.234", False, None, "ambiguous"),
    ("1,234", True, None, "ambiguous"),
    ("1,234", False, None, "ambiguous"),
    ("1,234,567", False, None, "ambiguous"),
    ("1,234,567", True, None, "ambiguous"),
    ("1,234.5", False, None, "ambiguous"),
    ("12.5", False, None, "ambiguous"),
    # garbage
    ("12abc", False, None, "invalid"),
    ("abc", False, None, "invalid"),
    ("1..2", False, None, "invalid"),
    ("1.23.4", True, None, "invalid"),
    ("1e5", False, None, "invalid"),
    ("5,", False, None, "invalid"),
    ("-", False, None, "invalid"),
    ("91,8%", False, None, "invalid"),
    ([1], False, None, "invalid"),
]


@pytest.mark.parametrize(("raw", "integer", "value", "status"), NUMBER_CASES)
def test_parse_number(raw: object, integer: bool, value: float | None, status: str) -> None:
    result = parse_number(raw, integer=integer)
    assert (result.value, result.status) == (value, status)
    if integer and result.value is not None:
        assert type(result.value) is int


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("91,8%", 91.8, "text"),
        ("91,8 %", 91.8, "text"),
        ("100%", 100.0, "text"),
        ("91.8%", None, "ambiguous"),
        ("%", None, "invalid"),
        ("12", 12.0, "text"),
    ],
)
def test_parse_percent(raw: str, value: float | None, status: str) -> None:
    result = parse_number(raw, percent_ok=True)
    assert (result.value, result.status) == (value, status)


def test_number_ambiguity_is_never_guessed() -> None:
    """Zero silent guesses: every ambiguous reading comes back without a value."""
    samples = ["1.234", "1,234", "-1,234", "1,234,567", "1,234.5", "12.5", "0.5", "999.999"]
    results = [
        parse_number(s, integer=i, percent_ok=p)
        for s in samples + [x + "%" for x in samples]
        for i in (False, True)
        for p in (False, True)
    ]
    ambiguous = [r for r in results if r.status == "ambiguous"]
    assert len(ambiguous) > 20
    assert all(r.value is None and r.note for r in ambiguous)
    assert all(r.value is None for r in results if r.status in ("invalid", "blank"))


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (2759865, 0, "2.759.865"),
        (91.8, 1, "91,8"),
        (1234.5, 2, "1.234,50"),
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (2.25, 1, "2,3"),
        (1.005, 2, "1,01"),
        (-1234.5, 0, "-1.235"),
        (-0.04, 1, "0,0"),
        (999, 0, "999"),
    ],
)
def test_format_vi(value: float, decimals: int, text: str) -> None:
    assert format_vi(value, decimals) == text


@pytest.mark.parametrize(
    ("ratio", "decimals", "text"),
    [
        (0.918, 1, "91,8%"),
        (0.49, 0, "49%"),
        (0.0125, 1, "1,3%"),
        (1, 1, "100,0%"),
        (12.345, 0, "1.235%"),
        (0.98765, 2, "98,77%"),
    ],
)
def test_format_percent_vi(ratio: float, decimals: int, text: str) -> None:
    assert format_percent_vi(ratio, decimals) == text


@given(
    st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(10**30), max_value=10**30),
    ),
    st.integers(min_value=0, max_value=4),
)
def test_format_vi_writes_what_babel_writes_for_vi_VN(value: float, decimals: int) -> None:
    """format_vi writes with the decimal module's own grouping (babel's locale data is not
    loaded to write a figure): the same text as babel's format_decimal in vi_VN, for the
    value rounded half up as format_vi rounds it."""
    from decimal import ROUND_HALF_UP, localcontext

    from babel.numbers import format_decimal

    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, number.adjusted() + decimals + 4)
        rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        expected = format_decimal(rounded, format=pattern, locale="vi_VN")
    assert format_vi(value, decimals) == expected


def test_format_round_trips_through_parse() -> None:
    for value in (0, 7, 1234, 2759865, 1234567890):
        assert parse_number(format_vi(value), integer=True).value == value


# -------------------------------------------------------------------------------------- dates
def excel_1900(serial: int) -> dt.date:
    """Reference for serials >= 61 (after Excel's fictitious 1900-02-29)."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=serial)


DATE_CASES: list[tuple[object, bool, dt.date | None, str]] = [
    # real dates
    (D(2025, 8, 31), False, D(2025, 8, 31), "ok"),
    (dt.datetime(2025, 6, 15, 14, 30), False, D(2025, 6, 15), "ok"),
    (D(1999, 12, 31), False, None, "invalid"),
    (D(2101, 1, 1), False, None, "invalid"),
    # serials
    # 45900 is 2025-08-31 (reference: 1899-12-30 + 45900 days; 25569 is 1970-01-01)
    (45900, False, D(2025, 8, 31), "serial"),
    (45900, False, excel_1900(45900), "serial"),
    (45901, False, D(2025, 9, 1), "serial"),
    (45901.75, False, D(2025, 9, 1), "serial"),
    (25569 + 11323, False, D(2001, 1, 1), "serial"),
    (36526, False, D(2000, 1, 1), "serial"),
    (73415, False, D(2100, 12, 31), "serial"),
    (73416, False, None, "invalid"),
    (44439, True, D(2025, 9, 1), "serial"),
    (45900, True, D(1904, 1, 1) + dt.timedelta(days=45900), "serial"),
    (60, False, None, "invalid"),
    (0, False, None, "invalid"),
    (-5, False, None, "invalid"),
    (2958466, False, None, "invalid"),
    (True, False, None, "invalid"),
    # text, day first
    ("31/08/2025", False, D(2025, 8, 31), "text"),
    ("30-06-2025", False, D(2025, 6, 30), "text"),
    ("5/12/2025", False, D(2025, 12, 5), "text"),
    ("05.12.2025", False, D(2025, 12, 5), "text"),
    ("5/12/25", False, D(2025, 12, 5), "text"),
    ("1/1/00", False, D(2000, 1, 1), "text"),
    (" 31/08/2025 ", False, D(2025, 8, 31), "text"),
    ("12/05/2025", False, D(2025, 5, 12), "text"),
    # text, ISO
    ("2026-01-01", False, D(2026, 1, 1), "text"),
    ("2025-06-15 00:00:00", False, D(2025, 6, 15), "text"),
    ("2025-06-15T00:00:00", False, D(2025, 6, 15), "text"),
    ("2025/06/15", False, D(2025, 6, 15), "text"),
    # invalid
    ("31/02/2025", False, None, "invalid"),
    ("29/02/2025", False, None, "invalid"),
    ("08/31/2025", False, None, "invalid"),
    ("13/13/2025", False, None, "invalid"),
    ("31/08-2025", False, None, "invalid"),
    ("31/08/1999", False, None, "invalid"),
    ("ngày 31 tháng 8", False, None, "invalid"),
    ("45900", False, None, "invalid"),
    ("abc", False, None, "invalid"),
    # blank
    (None, False, None, "blank"),
    ("", False, None, "blank"),
    ("  ", False, None, "blank"),
]


@pytest.mark.parametrize(("raw", "epoch_1904", "value", "status"), DATE_CASES)
def test_parse_date(raw: object, epoch_1904: bool, value: dt.date | None, status: str) -> None:
    result = parse_date(raw, epoch_1904=epoch_1904)
    assert (result.value, result.status) == (value, status)


def test_leap_day_2024_and_out_of_range_note() -> None:
    assert parse_date("29/02/2024").value == D(2024, 2, 29)
    assert "2000" in parse_date("01/01/1990").note


def test_serial_agrees_with_reference_for_all_modern_serials() -> None:
    for serial in range(61, 80000, 97):
        assert serial_to_date(serial) == excel_1900(serial)
        assert serial_to_date(serial, epoch_1904=True) == excel_1900(serial + 1462)
    assert serial_to_date(1) == D(1900, 1, 1)
    assert serial_to_date(59) == D(1900, 2, 28)
    assert serial_to_date(61) == D(1900, 3, 1)
    assert serial_to_date(0, epoch_1904=True) == D(1904, 1, 1)


# ------------------------------------------------------------------------------------- legacy
LOWER = [c for c in LETTERS if c == c.lower()]
UPPER = [c for c in LETTERS if c != c.lower()]
TONES = "\u0300\u0301\u0303\u0309\u0323"
TONED_UPPER = [c for c in UPPER if any(t in unicodedata.normalize("NFD", c) for t in TONES)]


def test_letter_inventory() -> None:
    assert len(LETTERS) == len(set(LETTERS)) == 146
    assert len([c for c in LETTERS if not c.isascii()]) == 134
    assert len(LOWER) == len(UPPER) == 73


@pytest.mark.parametrize("letter", LETTERS)
def test_vni_round_trip(letter: str) -> None:
    assert convert(encode(letter, "vni"), "vni") == letter
    word = f"x{letter}n"
    assert convert(encode(word, "vni"), "vni") == word


@pytest.mark.parametrize("letter", LOWER + [c for c in UPPER if c not in TONED_UPPER])
def test_tcvn3_round_trip(letter: str) -> None:
    encoded = encode(letter, "tcvn3")
    assert len(encoded) == 1
    assert convert(encoded, "tcvn3") == letter


@pytest.mark.parametrize("letter", TONED_UPPER)
def test_tcvn3_toned_capitals_need_caps_font(letter: str) -> None:
    with pytest.raises(ValueError):
        encode(letter, "tcvn3")
    assert convert(encode(letter.lower(), "tcvn3"), "tcvn3", uppercase=True) == letter


def test_legacy_tables_are_injective() -> None:
    encodings: tuple[Literal["tcvn3", "vni"], ...] = ("tcvn3", "vni")
    for enc in encodings:
        encodable = [c for c in LETTERS if enc == "vni" or c not in TONED_UPPER]
        codes = [encode(c, enc) for c in encodable]
        assert len(set(codes)) == len(codes)
    assert len(TONED_UPPER) == 60


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Qu¶ng Ng·i", "Quảng Ngãi"),
        ("x·", "xã"),
        ("Ba T¬", "Ba Tơ"),
        ("§Æc khu Lý S¬n", "Đặc khu Lý Sơn"),
        ("Tr\u00adêng häc", "Trường học"),
        ("Céng hoµ x· héi chñ nghÜa ViÖt Nam", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        ("§¡NG", "ĐĂNG"),
    ],
)
def test_tcvn3_golden(legacy: str, unicode: str) -> None:
    assert convert(legacy, "tcvn3") == unicode
    assert encode(unicode, "tcvn3") == legacy


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Quaûng Ngaõi", "Quảng Ngãi"),
        ("Ñaëc khu Lyù Sôn", "Đặc khu Lý Sơn"),
        ("ngöôøi", "người"),
        ("Nguyeãn Thò Thuûy", "Nguyễn Thị Thủy"),
        ("QUAÛNG NGAÕI", "QUẢNG NGÃI"),
        ("Coäng hoøa xaõ hoäi", "Cộng hòa xã hội"),
        ("Mó", "Mĩ"),
    ],
)
def test_vni_golden(legacy: str, unicode: str) -> None:
    assert convert(legacy, "vni") == unicode
    assert encode(unicode, "vni") == legacy


def test_vni_lenient_decoding() -> None:
    assert convert("Aù", "vni") == "Á"  # mark in the other case: the base letter decides
    assert convert("yï", "vni") == "ỵ"


@pytest.mark.parametrize(
    ("text", "font", "expected"),
    [
        # by font name
        ("Qu¶ng Ng·i", ".VnTime", "tcvn3"),
        ("Total 2025", ".VnArial", "tcvn3"),
        ("QU¶NG NG·I", ".VnTimeH", "tcvn3"),
        ("Quaûng Ngaõi", "VNI-Times", "vni"),
        ("Quaûng Ngaõi", "vni-helve", "vni"),
        ("Quảng Ngãi", ".VnTime", "unicode"),  # characters no legacy byte can produce
        # by signature
        ("Qu¶ng Ng·i", None, "tcvn3"),
        ("x·", None, "tcvn3"),
        ("UBND x· Ba T¬", "Times New Roman", "tcvn3"),
        ("§Æc khu Lý S¬n", None, "tcvn3"),
        ("Quaûng Ngaõi", None, "vni"),
        ("Ñaëc khu Lyù Sôn", None, "vni"),
        ("ngöôøi", None, "vni"),
        # false positives that must stay Unicode
        ("Total 2025", None, "unicode"),
        ("", None, "unicode"),
        ("Quảng Ngãi", None, "unicode"),
        ("Đăk Tô", None, "unicode"),
        ("Tô Hà", None, "unicode"),
        ("Tô Hà ©", None, "unicode"),
        ("Bà Rịa – Vũng Tàu", None, "unicode"),
        ("Café crème", None, "unicode"),
        ("Søren Müller", None, "unicode"),
        ("España", None, "unicode"),
        ("naïve", None, "unicode"),
        ("Straße", None, "unicode"),
        ("10 × 20 · 5", None, "unicode"),
        ("© 2025 Công ty", None, "unicode"),
        ("§ 3", None, "unicode"),
        ("Nguyễn Thị Thủy", "Arial", "unicode"),
    ],
)
def test_detect_encoding(text: str, font: str | None, expected: str) -> None:
    assert detect_encoding(text, font) == expected


@pytest.mark.parametrize(
    ("text", "font", "expected"),
    [
        ("  Qu¶ng   Ng·i ", None, ("Quảng Ngãi", "tcvn3")),
        ("Qu¶ng Ng·i", ".VnTimeH", ("QUẢNG NGÃI", "tcvn3")),
        ("QU¶NG NG·I", None, ("QUẢNG NGÃI", "tcvn3")),
        ("UBND x· Ba T¬", None, ("UBND xã Ba Tơ", "tcvn3")),
        ("Ñaëc khu Lyù Sôn", "VNI-Times", ("Đặc khu Lý Sơn", "vni")),
        ("Quảng\u00a0Ngãi", None, ("Quảng Ngãi", None)),
        ("Quang Ngai", ".VnTime", ("Quang Ngai", "tcvn3")),
        (unicodedata.normalize("NFD", "Quảng Ngãi"), None, ("Quảng Ngãi", None)),
    ],
)
def test_normalize_text(text: str, font: str | None, expected: tuple[str, str | None]) -> None:
    assert normalize_text(text, font) == expected


# ------------------------------------------------------------------------------------ choices
SYNONYMS = load_synonyms(MAPPINGS / "synonyms.yaml")
STATUS = ["Đã hoàn thành", "Đang thực hiện", "Chưa thực hiện"]
RESULT = ["Đạt", "Chưa đạt"]
YES_NO = ["Có", "Không"]


@pytest.mark.parametrize(
    ("raw", "allowed", "value", "status"),
    [
        ("Đã hoàn thành", STATUS, "Đã hoàn thành", "ok"),
        ("  Đang thực hiện ", STATUS, "Đang thực hiện", "ok"),
        (unicodedata.normalize("NFD", "Chưa thực hiện"), STATUS, "Chưa thực hiện", "ok"),
        ("đã hoàn thành", STATUS, "Đã hoàn thành", "synonym"),
        ("ĐÃ HOÀN THÀNH", STATUS, "Đã hoàn thành", "synonym"),
        ("HT", STATUS, "Đã hoàn thành", "synonym"),
        ("ht", STATUS, "Đã hoàn thành", "synonym"),
        ("xong", STATUS, "Đã hoàn thành", "synonym"),
        ("da hoan thanh", STATUS, "Đã hoàn thành", "synonym"),
        ("Đang làm", STATUS, "Đang thực hiện", "synonym"),
        ("DTH", STATUS, "Đang thực hiện", "synonym"),
        ("chưa triển khai", STATUS, "Chưa thực hiện", "synonym"),
        ("CTH", STATUS, "Chưa thực hiện", "synonym"),
        ("x", RESULT, "Đạt", "synonym"),
        ("X", YES_NO, "Có", "synonym"),
        ("có", RESULT, "Đạt", "synonym"),
        ("có", YES_NO, "Có", "synonym"),
        ("Có", YES_NO, "Có", "ok"),
        ("không", RESULT, "Chưa đạt", "synonym"),
        ("không", YES_NO, "Không", "synonym"),
        ("yes", YES_NO, "Có", "synonym"),
        ("no", YES_NO, "Không", "synonym"),
        ("x", RESULT + YES_NO, None, "invalid"),  # two allowed canonicals: never guess
        ("x", STATUS, None, "invalid"),
        ("yes", RESULT, None, "invalid"),
        ("hoàn thành một phần", STATUS, None, "invalid"),
        (1, YES_NO, None, "invalid"),
        (None, STATUS, None, "blank"),
        ("   ", STATUS, None, "blank"),
    ],
)
def test_match_choice(raw: object, allowed: list[str], value: str | None, status: str) -> None:
    result = match_choice(raw, allowed, SYNONYMS)
    assert (result.value, result.status) == (value, status)


def test_match_choice_accepts_plain_mapping_and_allowed_case_variants() -> None:
    assert match_choice("nam", ["Nam", "Nữ"], {}).value == "Nam"
    assert match_choice("ok", ["Đạt"], {"ok": "Đạt"}).status == "synonym"


def test_synonyms_file_keys_are_folded() -> None:
    assert SYNONYMS["ht"] == ("Đã hoàn thành",)
    assert set(SYNONYMS["x"]) == {"Đạt", "Có"}
    assert set(SYNONYMS["không"]) == {"Chưa đạt", "Không"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("synonyms:\n  Có: [có]\n  có: [co]\n", "same"),
        ("synonyms:\n  Có: [yes, no]\n", "quote"),
        ("synonyms:\n  Có: có\n", "list"),
        ("other: {}\n", "synonyms"),
    ],
)
def test_load_synonyms_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_synonyms(path)


ANSWER_PIECES = ("Không", "không có", "ko", "-", "Đạt", "Chưa đạt", "Thiếu máy", " ", ".", "\t")


@given(st.lists(st.sampled_from(ANSWER_PIECES), max_size=4).map("".join))
def test_a_figure_and_the_phu_luc_agree_on_what_says_nothing(text: str) -> None:
    """The indicator counting units "có ý kiến" (equals: không) and the text annex listing
    answers use one definition: an answer is "không" for one exactly when for the other."""
    assert same_answer(text, "không") == says_nothing(text)
    assert same_answer(text, "Không.") == says_nothing(text)
    assert normalised(normalised(text)) == normalised(text)
    assert same_answer(text, text)


def test_ways_of_writing_nothing() -> None:
    for text in ("Không.", "  không  ", "KHÔNG CÓ", "ko", "-", "Không;"):
        assert says_nothing(text) and same_answer(text, "không"), text
    for text in ("Không đủ máy", "Đạt", "Có"):
        assert not says_nothing(text) and not same_answer(text, "không"), text
    assert same_answer("đạt.", "Đạt") and not same_answer("Chưa đạt", "Đạt")
    assert not same_answer(None, "không") and not same_answer(0, "không")
