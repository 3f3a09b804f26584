"""The commune-level units (xã, phường, đặc khu) of a province and a resolver for messy input.

The list comes from ``vietnam-provinces`` (never typed by hand).  For Quảng Ngãi (code 51) it has
96 units: 86 xã, 9 phường and 1 đặc khu.

:func:`resolve` rules, in order:

1. An ``int`` or a digit string (``"21484"``; ``"21484.0"`` as read from Excel) is a unit code.
2. A name is read with and without a leading type prefix (``Xã``/``xa``/``X.``,
   ``Phường``/``phuong``/``P.``, ``Đặc khu``/``dac khu``/``ĐK``/``DK``).  A prefix restricts the
   match to units of that type.
3. Exact match on the :func:`~xlsaddin.text.names.fold` key (case-, NFC/NFD-, whitespace-,
   hyphen- and tone-placement-insensitive but diacritic-preserving).
4. Only if step 3 finds nothing **and the name part carries no diacritics at all**, match on the
   diacritic-stripped key (``ba to`` -> Ba Tơ and Ba Tô).  A name typed with diacritics that
   matches nothing exactly (``Ba Tớ``) is never rescued by stripping them.

One hit is ``found``; several are ``ambiguous`` (all hits in ``candidates``).  No hit is
``unknown``.  A prefix that contradicts the unit type (``Phường Ba Tơ`` for a xã) gives
``unknown``, not ``ambiguous``: the text names a unit that does not exist.  For ``unknown``
results ``candidates`` holds near misses for error messages (units rejected only because of
the prefix type or because the typed diacritics differ); they are hints, never matches.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from xlsaddin.text.names import fold, nfc, strip_diacritics

__all__ = ["PROVINCE_CODE", "Match", "Unit", "by_code", "load_units", "resolve"]

PROVINCE_CODE = 51

_PREFIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"(?:xã|xa) (.+)", "xã"),
        (r"x\. ?(.+)", "xã"),
        (r"(?:phường|phuong) (.+)", "phường"),
        (r"p\. ?(.+)", "phường"),
        (r"(?:đặc khu|dac khu|đk|dk) (.+)", "đặc khu"),
        (r"[đd]\. ?k\. ?(.+)", "đặc khu"),
    )
)
_CODE_RE = re.compile(r"\d+(?:\.0+)?")
_SEPARATORS_RE = re.compile(r"[-‐–_]")


@dataclass(frozen=True)
class Unit:
    """A commune-level unit: ``Unit(21484, 'Xã Ba Tơ', 'xã', 'Ba Tơ')``."""

    code: int
    name: str
    kind: str  # 'xã' | 'phường' | 'đặc khu'
    short_name: str


@dataclass(frozen=True)
class Match:
    """Outcome of :func:`resolve`; ``unit`` is set only when ``status == 'found'``."""

    status: Literal["found", "ambiguous", "unknown"]
    unit: Unit | None = None
    candidates: tuple[Unit, ...] = ()


def load_units(province_code: int = PROVINCE_CODE) -> tuple[Unit, ...]:
    """All commune-level units of the province, sorted by code (cached: same tuple every call).

    Raises ``ValueError`` for a province code unknown to ``vietnam-provinces``.
    """
    return _load_units(int(province_code))


@functools.lru_cache(maxsize=64)
def _load_units(province_code: int) -> tuple[Unit, ...]:
    wards = _wards_from_data_file(province_code)
    if wards is None:
        wards = _wards_from_modules(province_code)
    units = []
    for code, name, kind in wards:
        prefix = kind.capitalize() + " "
        short = name[len(prefix) :] if name.startswith(prefix) else name
        units.append(Unit(code, name, kind, short))
    return tuple(sorted(units, key=lambda u: u.code))


def _wards_from_modules(province_code: int) -> list[tuple[int, str, str]]:
    """(code, name, division type) of the province's wards through the package's Python API."""
    from vietnam_provinces import ProvinceCode, Ward

    return [
        (int(w.code), w.name, w.division_type.value)
        for w in Ward.iter_by_province(ProvinceCode(province_code))
    ]


def _wards_from_data_file(province_code: int) -> list[tuple[int, str, str]] | None:
    """The same list from the data file ``vietnam-provinces`` publishes
    (``vietnam_provinces.NESTED_DIVISIONS_JSON_PATH``), found without importing the package.

    Importing it builds a 3,321-member enum and 3,321 ward objects: 80 ms against 10 ms
    for reading and parsing the 0.6 MB file (same process, busy 2-core VM), paid by every
    command that names a unit.
    None when the file is missing, unreadable or shaped differently, or the province is
    not in it: the caller then asks the package's Python API (a test checks both agree).
    """
    spec = importlib.util.find_spec("vietnam_provinces")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "nested-divisions.json"
        try:
            provinces = json.loads(path.read_bytes())
            for province in provinces:
                if int(province["code"]) == province_code:
                    return [
                        (int(w["code"]), str(w["name"]), str(w["division_type"]))
                        for w in province["wards"]
                    ]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return None


def by_code(code: int) -> Unit:
    """The unit of the default province (:data:`PROVINCE_CODE`) with this code."""
    for unit in load_units():
        if unit.code == code:
            return unit
    raise KeyError(f"no commune-level unit with code {code!r} in province {PROVINCE_CODE}")


def _key(s: str) -> str:
    return fold(_SEPARATORS_RE.sub(" ", s))


@dataclass(frozen=True)
class _Index:
    by_code: dict[int, Unit]
    exact: dict[str, tuple[Unit, ...]]
    stripped: dict[str, tuple[Unit, ...]]


@functools.lru_cache(maxsize=8)
def _index(units: tuple[Unit, ...]) -> _Index:
    exact: dict[str, list[Unit]] = {}
    stripped: dict[str, list[Unit]] = {}
    for unit in units:
        key = _key(unit.short_name)
        exact.setdefault(key, []).append(unit)
        stripped.setdefault(strip_diacritics(key), []).append(unit)
    return _Index(
        by_code={u.code: u for u in units},
        exact={k: tuple(v) for k, v in exact.items()},
        stripped={k: tuple(v) for k, v in stripped.items()},
    )


def _lookup(
    readings: Iterable[tuple[str | None, str]], table: dict[str, tuple[Unit, ...]]
) -> tuple[set[Unit], set[Unit]]:
    """Return (hits, units whose name matched but whose type contradicts the prefix)."""
    hits: set[Unit] = set()
    wrong_kind: set[Unit] = set()
    for kind, key in readings:
        for unit in table.get(key, ()):
            (hits if kind is None or unit.kind == kind else wrong_kind).add(unit)
    return hits, wrong_kind


def _by_code(units: Iterable[Unit]) -> tuple[Unit, ...]:
    return tuple(sorted(units, key=lambda u: u.code))


def _resolve_name(text: str, index: _Index) -> Match:
    key = _key(text)
    readings: list[tuple[str | None, str]] = [(None, key)]
    for pattern, kind in _PREFIXES:
        if m := pattern.fullmatch(key):
            readings.append((kind, m.group(1)))

    hits, near = _lookup(readings, index.exact)
    if not hits:
        # Fall back to the stripped key only for readings typed without any diacritic.
        plain = [(kind, name) for kind, name in readings if strip_diacritics(name) == name]
        hits, wrong_kind = _lookup(plain, index.stripped)
        near |= wrong_kind
    if not hits and not near:
        # Hints only: units whose name differs from the typed one just by diacritics.
        accented = [(k, strip_diacritics(n)) for k, n in readings if strip_diacritics(n) != n]
        same_letters, wrong_kind = _lookup(accented, index.stripped)
        near = same_letters | wrong_kind
    if len(hits) == 1:
        (unit,) = hits
        return Match("found", unit, (unit,))
    if hits:
        return Match("ambiguous", None, _by_code(hits))
    return Match("unknown", None, _by_code(near))


def resolve(text: str | int, units: Iterable[Unit] | None = None) -> Match:
    """Resolve a unit code or a messily typed unit name; see the module docstring for the rules.

    ``units`` defaults to :func:`load_units` of :data:`PROVINCE_CODE`.
    """
    index = _index(load_units() if units is None else tuple(units))
    if isinstance(text, bool):
        return Match("unknown")
    if isinstance(text, str):
        text = nfc(text)
        if not text:
            return Match("unknown")
        if not _CODE_RE.fullmatch(text):
            return _resolve_name(text, index)
        text = int(text.split(".")[0])
    unit = index.by_code.get(text)
    return Match("found", unit, (unit,)) if unit else Match("unknown")
