"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC and VNI-Windows) to Unicode NFC.

Old forms store Vietnamese as bytes that look right only with a special font: Excel keeps
each byte as the Windows-1252 character of the same code, e.g. TCVN3 "Qu¶ng Ng·i" or VNI
"Quaûng Ngaõi" for "Quảng Ngãi".

TCVN3 (TCVN 5712:1993 "VN3", the ABC fonts ".VnTime", ".VnArial", ...)
    One byte per letter.  The normal fonts hold every lower-case letter with its tone and the
    upper-case letters *without* tone (A Ă Â ... Đ).  An upper-case letter with a tone (Ả, Ấ,
    Ệ, ... 60 letters) cannot be represented there: the all-capitals "H" fonts (".VnTimeH",
    ".VnArialH": font names ending in "H") draw the lower-case codes as capitals, so text in
    those fonts is converted and then upper-cased (``convert(..., uppercase=True)``).
    Consequently a mixed-case word such as "Ảnh" has no TCVN3 form at all.
VNI-Windows (fonts "VNI-Times", "VNI-Helve", ...)
    Base letter followed by a mark byte: tone "ù" sắc, "ø" huyền, "û" hỏi, "õ" ngã, "ï" nặng;
    "â" circumflex (aâ = â, eâ = ê, oâ = ô) with "á à å ã ä" for circumflex + tone; "ê" breve
    (aê = ă) with "é è ú ü ë" for breve + tone.  Single bytes: ô = ơ, ö = ư, ñ = đ, and i with
    a tone í ì æ ó ò, ỵ = î.  Upper-case letters use the upper-case bytes (AÙ = Á, Ô = Ơ).
    All 134 letters are representable.

Detection (:func:`detect_encoding`): text holding a character no legacy byte can produce
(ả, ơ, đ, ...) is Unicode whatever its font.  Otherwise a legacy font name decides (".Vn*" ->
tcvn3, "VNI*" -> vni).  Without one, a legacy encoding is reported only when the text has
characters that never occur in Unicode Vietnamese (TCVN3 "¶ · ¬ §", VNI "û ï ë ö ñ"), no byte
that only the other encoding uses, every word carrying such a character converts to a
well-formed Vietnamese syllable (onset + known vowel group + final, at most one tone), and at
least one of them has two or more letters; a tie is 'unicode'.  Plain ASCII, genuine Unicode
Vietnamese and European words ("Müller", "España", "naïve") therefore stay 'unicode'.  The
price: legacy text whose bytes all look like Vietnamese letters (VNI "Lyù Sôn", TCVN3 "Lý")
is only recognised through its font name.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Literal

from xlsaddin.text.names import nfc

__all__ = [
    "LETTERS",
    "convert",
    "detect_encoding",
    "encode",
    "is_caps_font",
    "normalize_text",
]

Legacy = Literal["tcvn3", "vni"]
_ENCODINGS: tuple[Legacy, ...] = ("tcvn3", "vni")

_VOWELS = "aăâeêioôơuưy"
# No tone, sắc, huyền, hỏi, ngã, nặng (the order of both legacy tables below).
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


def _letter(base: str, tone: int) -> str:
    return unicodedata.normalize("NFC", base + _TONE_MARKS[tone])


#: The 146 Vietnamese letters: 12 vowels x (no tone + 5 tones) x 2 cases, plus đ and Đ
#: (134 of them are non-ASCII).
LETTERS: tuple[str, ...] = (
    tuple(_letter(v, t) for v in _VOWELS for t in range(6))
    + tuple(_letter(v.upper(), t) for v in _VOWELS for t in range(6))
    + ("đ", "Đ")
)

# ---------------------------------------------------------------- TCVN3
# For each vowel: bytes (as cp1252 characters) of sắc, huyền, hỏi, ngã, nặng.
_TCVN3_TONED = {
    "a": "¸µ¶·¹",
    "ă": "¾»¼½Æ",
    "â": "ÊÇÈÉË",
    "e": "ÐÌÎÏÑ",
    "ê": "ÕÒÓÔÖ",
    "i": "Ý×ØÜÞ",
    "o": "ãßáâä",
    "ô": "èåæçé",
    "ơ": "íêëìî",
    "u": "óïñòô",
    "ư": "øõö÷ù",
    "y": "ýúûüþ",
}
_TCVN3_BASE = {
    "ă": "¨",
    "â": "©",
    "ê": "ª",
    "ô": "«",
    "ơ": "¬",
    "ư": "\u00ad",
    "đ": "®",
    "Ă": "¡",
    "Â": "¢",
    "Ê": "£",
    "Ô": "¤",
    "Ơ": "¥",
    "Ư": "¦",
    "Đ": "§",
}
_TCVN3_DECODE: dict[str, str] = {code: uni for uni, code in _TCVN3_BASE.items()} | {
    code: _letter(v, t + 1) for v, codes in _TCVN3_TONED.items() for t, code in enumerate(codes)
}
_TCVN3_ENCODE = {uni: code for code, uni in _TCVN3_DECODE.items()}

# ---------------------------------------------------------------- VNI
_VNI_TONES = "ùøûõï"  # sắc, huyền, hỏi, ngã, nặng
_VNI_VOWELS = {  # Unicode vowel -> (VNI spelling of the bare vowel, tone marks or spellings)
    "a": ("a", _VNI_TONES),
    "ă": ("aê", "éèúüë"),
    "â": ("aâ", "áàåãä"),
    "e": ("e", _VNI_TONES),
    "ê": ("eâ", "áàåãä"),
    "o": ("o", _VNI_TONES),
    "ô": ("oâ", "áàåãä"),
    "ơ": ("ô", _VNI_TONES),
    "u": ("u", _VNI_TONES),
    "ư": ("ö", _VNI_TONES),
    "y": ("y", "ùøûõ"),
}


def _vni_table() -> dict[str, str]:
    """Unicode letter -> VNI spelling, both cases."""
    table: dict[str, str] = {"đ": "ñ", "Đ": "Ñ", "ỵ": "î", "Ỵ": "Î", "i": "i", "I": "I"}
    for t, code in enumerate("íìæóò", start=1):
        table[_letter("i", t)] = code
        table[_letter("I", t)] = code.upper()
    for vowel, (bare, marks) in _VNI_VOWELS.items():
        stem = bare[0] if len(bare) == 2 else bare  # "aê" + tone is "a" + "é"
        for t in range(len(marks) + 1):
            spelling = bare if t == 0 else stem + marks[t - 1]
            table[_letter(vowel, t)] = spelling
            table[_letter(vowel.upper(), t)] = spelling.upper()
    return table


_VNI_ENCODE = _vni_table()


def _vni_decode_table() -> dict[str, str]:
    """VNI spelling -> Unicode letter.  A mark byte in the other case than its base letter is
    also accepted (the base letter decides the case), and so is "yï" for ỵ (y + the generic
    dot-below mark) besides the standard single byte "î"."""
    table: dict[str, str] = {"yï": "ỵ", "YÏ": "Ỵ"}
    for uni, code in _VNI_ENCODE.items():
        if code == uni:
            continue
        table[code] = uni
        if len(code) == 2:
            table.setdefault(code[0] + code[1].swapcase(), uni)
    return table


_VNI_DECODE = _vni_decode_table()
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_DECODE), key=len, reverse=True)))


# ---------------------------------------------------------------- conversion
def convert(text: str, encoding: Legacy, *, uppercase: bool = False) -> str:
    """Decode legacy text to Unicode NFC.  ``uppercase=True`` for TCVN3 "H" (capitals) fonts."""
    if encoding == "tcvn3":
        out = "".join(_TCVN3_DECODE.get(ch, ch) for ch in text)
    else:
        out = _VNI_RE.sub(lambda m: _VNI_DECODE[m.group()], text)
    if uppercase:
        out = out.upper()
    return unicodedata.normalize("NFC", out)


def encode(text: str, encoding: Legacy) -> str:
    """Inverse of :func:`convert` (for tests and fixtures).  Raises ValueError for letters the
    encoding cannot hold (TCVN3: upper-case letters with a tone; encode their lower case and
    decode with ``uppercase=True`` instead)."""
    table = _TCVN3_ENCODE if encoding == "tcvn3" else _VNI_ENCODE
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in table:
            out.append(table[ch])
        elif ord(ch) < 0x80:
            out.append(ch)
        else:
            raise ValueError(f"{ch!r} cannot be represented in {encoding}")
    return "".join(out)


# ---------------------------------------------------------------- detection
_VI_NON_ASCII = frozenset("".join(LETTERS)) - frozenset(map(chr, range(0x80)))
# cp1252 punctuation that legacy text may contain alongside the letter bytes.
_CP1252_EXTRA = frozenset("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ")
_LATIN1 = frozenset(map(chr, range(0xA0, 0x100)))
_SIGNS: dict[Legacy, frozenset[str]] = {
    "tcvn3": frozenset(_TCVN3_DECODE) - _VI_NON_ASCII,
    "vni": frozenset("".join(_VNI_DECODE)) - _VI_NON_ASCII - frozenset(map(chr, range(0x80))),
}

_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_OPEN_RHYMES = (  # vowel groups ending in a glide: no final consonant may follow
    "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu iêu yêu oai oay oao oeo uây uôi "
    "ươi ươu uya uyu uơ"
)
_CLOSABLE = "a ă â e ê i o ô ơ u ư y iê yê oa oă oe uâ uê uô ươ uy uyê oo"
_SYLLABLE = re.compile(
    rf"(?:{_ONSET})?(?:(?:{'|'.join(_OPEN_RHYMES.split())})"
    rf"|(?:{'|'.join(sorted(_CLOSABLE.split(), key=len, reverse=True))})(?:ch|ng|nh|[cmnptk])?)"
)
_WORD = re.compile(r"[^\W\d_]+")


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(decomposed.count(mark) for mark in _TONE_MARKS[1:])
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
    return tones <= 1 and _SYLLABLE.fullmatch(toneless) is not None


_REPERTOIRE: dict[Legacy, frozenset[str]] = {
    "tcvn3": frozenset(_TCVN3_DECODE),
    "vni": frozenset("".join(_VNI_DECODE)),
}
_LEGACY_WORD: dict[Legacy, re.Pattern[str]] = {
    enc: re.compile(
        "[A-Za-z" + re.escape("".join(sorted(set("".join(table)) | _VI_NON_ASCII & _LATIN1))) + "]+"
    )
    for enc, table in zip(_ENCODINGS, (_TCVN3_DECODE, _VNI_DECODE), strict=True)
}


def _score(text: str, encoding: Legacy) -> int:
    """Count the words with a legacy-only character that convert to a well-formed Vietnamese
    syllable of two or more letters; -1 as soon as one such word converts to garbage."""
    other = _SIGNS["vni" if encoding == "tcvn3" else "tcvn3"] - _REPERTOIRE[encoding]
    if any(ch in other for ch in text):
        return -1  # a byte only the other encoding uses
    good = 0
    for word in _LEGACY_WORD[encoding].findall(text):
        if not any(ch in _SIGNS[encoding] for ch in word):
            continue  # nothing here that Unicode Vietnamese could not contain
        converted = convert(word, encoding)
        if not _is_syllable(converted):
            return -1
        good += len(converted) >= 2
    return good


def _font_encoding(font_name: str | None) -> Legacy | None:
    name = (font_name or "").strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith(("vni-", "vni ")):
        return "vni"
    return None


def is_caps_font(font_name: str | None) -> bool:
    """True for the all-capitals TCVN3 fonts (".VnTimeH", ".VnArialH")."""
    name = (font_name or "").strip()
    return _font_encoding(name) == "tcvn3" and name.endswith("H")


def detect_encoding(text: str, font_name: str | None = None) -> Literal["unicode", "tcvn3", "vni"]:
    """Which encoding ``text`` (a cell value, possibly with its font name) is in."""
    if any(ord(ch) > 0xFF and ch not in _CP1252_EXTRA for ch in text):
        return "unicode"  # legacy bytes read as cp1252 never produce these characters
    by_font = _font_encoding(font_name)
    if by_font is not None:
        return by_font
    scores = {enc: _score(text, enc) for enc in _ENCODINGS}
    best = max(scores.values())
    winners = [enc for enc, score in scores.items() if score == best]
    return winners[0] if best >= 1 and len(winners) == 1 else "unicode"


def _caps_words(text: str) -> str:
    """Upper-case words like "QUảNG": TCVN3 capitals-font text seen without its font."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        ascii_letters = [c for c in word if c.isascii()]
        caps = len(ascii_letters) >= 2 and all(c.isupper() for c in ascii_letters)
        return word.upper() if caps else word

    return _WORD.sub(fix, text)


@functools.lru_cache(maxsize=8192)  # the same few texts ("Đạt", statuses...) recur in every file
def normalize_text(value: str, font_name: str | None = None) -> tuple[str, str | None]:
    """(Unicode NFC text via :func:`~xlsaddin.text.names.nfc`, legacy encoding found or None).

    TCVN3 text in a capitals font (".VnTimeH") is upper-cased; without a font name, a word
    whose ASCII letters are all capitals ("QU¶NG" -> "QUẢNG") is upper-cased too.
    """
    encoding = detect_encoding(value, font_name)
    if encoding == "unicode":
        return nfc(value), None
    text = convert(value, encoding, uppercase=is_caps_font(font_name))
    if encoding == "tcvn3" and _font_encoding(font_name) is None:
        text = _caps_words(text)
    return nfc(text), encoding
