"""Vietnamese name normalisation helpers.

Tone-placement convention
-------------------------
Vietnamese has two accepted ways of placing the tone mark in the open syllables ending in the
diphthongs ``oa``, ``oe`` and ``uy``:

* "old" (classic) style, tone on the first vowel: ``hòa``, ``khỏe``, ``thủy``;
* "new" style, tone on the second vowel: ``hoà``, ``khoẻ``, ``thuỷ``.

The ``vietnam-provinces`` data (all 3,300+ ward and province names) mostly uses the old style
(about 170 names such as 'Xã Sơn Thủy', 'Xã Đặng Thùy Trâm', 'Phường Hòa Khánh') with a few dozen
new-style exceptions ('Hoà', 'Hoá', 'Thuỷ', 'Uý').  :func:`normalize_tone_placement` therefore
canonicalises to the **old style**, so canonical text looks like the majority of official names.
In closed syllables (``hoàng``, ``huỳnh``, ``ngoáy``, ``khuỷu``) both styles put the tone on the
second vowel; that placement is also enforced, so a mistyped ``hòang`` becomes ``hoàng``.
After ``q`` the ``u`` is part of the consonant, so ``quý`` is already canonical and the mistyped
``qúy`` becomes ``quý``.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["fold", "mid_sentence", "nfc", "normalize_tone_placement", "strip_diacritics"]

# Combining marks of the five Vietnamese tones: huyền, sắc, ngã, hỏi, nặng.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_VOWELS = frozenset("aăâeêioôơuưy")
_DIPHTHONGS = frozenset({"oa", "oe", "uy"})
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))
_WORD_RE = re.compile(r"[^\W\d_]+")


#: Unit-type words that open an official unit name ("Xã Sơn Tịnh", "Đặc khu Lý Sơn").
UNIT_TYPE_WORDS = ("Xã", "Phường", "Đặc khu", "Thị trấn")


def mid_sentence(name: str) -> str:
    """A unit name as written inside a sentence: the unit-type word in lower case.

    Decree 30/2020/NĐ-CP (Phụ lục II) writes "xã Sơn Tịnh", "phường Nghĩa Lộ", "đặc khu
    Lý Sơn" mid-sentence; the proper name keeps its capitals.
    """
    for word in UNIT_TYPE_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word) :]
    return name


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC with zero-width characters removed, runs of whitespace
    (including non-breaking spaces) collapsed to one space and the ends stripped."""
    return " ".join(unicodedata.normalize("NFC", s).translate(_ZERO_WIDTH).split())


def _split_tone(ch: str) -> tuple[str, str]:
    """Split one NFC character into (character without tone, tone mark or '')."""
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if c not in _TONES)
    tone = "".join(c for c in decomposed if c in _TONES)
    return unicodedata.normalize("NFC", base), tone


def _retone_word(word: str) -> str:
    parts = [_split_tone(ch) for ch in word]
    tone_positions = [i for i, (_, tone) in enumerate(parts) if tone]
    if len(tone_positions) != 1:
        return word
    pos = tone_positions[0]
    bases = "".join(base for base, _ in parts).lower()
    target = pos

    if pos > 0 and bases[pos - 1 : pos + 1] == "qu" and bases[pos + 1 : pos + 2] in _VOWELS:
        # 'qu' is a consonant: the tone belongs to the following vowel (qúy -> quý).
        target = pos + 1
    else:
        for i in (pos - 1, pos):
            if i < 0 or bases[i : i + 2] not in _DIPHTHONGS:
                continue
            if i > 0 and (bases[i - 1] == "q" or bases[i - 1] in _VOWELS):
                continue  # not the start of the vowel nucleus
            rest = bases[i + 2 :]
            if rest.startswith("ê"):
                continue  # 'uyê' (nguyễn): the tone sits on ê, leave it alone
            target = i if not rest else i + 1
            break

    if target == pos:
        return word
    chars = list(word)
    chars[pos] = parts[pos][0]
    chars[target] = unicodedata.normalize("NFC", parts[target][0] + parts[pos][1])
    return "".join(chars)


def normalize_tone_placement(s: str) -> str:
    """Move tone marks of ``oa``/``oe``/``uy`` syllables to the canonical (old-style) vowel.

    Examples: ``Hoà`` -> ``Hòa``, ``thuỷ`` -> ``thủy``, ``KHOẺ`` -> ``KHỎE``, ``Qúy`` -> ``Quý``,
    ``hòang`` -> ``hoàng``.  Case is preserved and the result is NFC.  Words with no tone, more
    than one tone mark or none of these diphthongs are returned unchanged.
    """
    text = unicodedata.normalize("NFC", s)
    return _WORD_RE.sub(lambda m: _retone_word(m.group()), text)


def fold(s: str) -> str:
    """Key for loose but diacritic-preserving matching: :func:`nfc`, lower case and canonical tone
    placement.  The look-alike ``Ð``/``ð`` (Icelandic eth, a common legacy-encoding artefact) is
    read as ``đ``.

    Short texts (labels, names, choices: the same few hundred in every file of a batch) are
    remembered: the tone placement costs ~0.1 ms a text, and the layout check of fixed rows
    alone asked it ~4,500 times for 380 files (a quarter of reading them, profiled).
    """
    if len(s) <= _FOLD_MEMO_CHARS:
        return _fold_memo(s)
    return _fold(s)


def _fold(s: str) -> str:
    return normalize_tone_placement(nfc(s).lower().replace("ð", "đ"))


#: Texts up to this long are remembered by :func:`fold` (8,192 of them at most: a few MB
#: even for a file made to fill the memo).
_FOLD_MEMO_CHARS = 200
_fold_memo = functools.lru_cache(maxsize=8192)(_fold)


def strip_diacritics(s: str) -> str:
    """Remove every diacritic (tones, circumflex, breve, horn) and map ``đ``/``Đ`` to ``d``/``D``.

    Case is preserved: ``Đặc khu Lý Sơn`` -> ``Dac khu Ly Son``.
    """
    decomposed = unicodedata.normalize("NFD", s)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", kept).translate(str.maketrans("đĐðÐ", "dDdD"))
