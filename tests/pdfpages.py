"""What a PDF printout of our outputs shows, page by page (poppler's pdftotext).

Every sheet we write carries a footer "<text> — <sheet name> ... Trang n/N", so each page of
a workbook's PDF can be attributed to its sheet; the render test and
``tools/render_pages.py`` both read pages through these helpers.
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

_FOOTER = re.compile(r"— (?P<sheet>[^—\n]+?)\s+Trang (?P<page>\d+)/(?P<pages>\d+)\s*$", re.M)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, in the PDF
    text: str  # NFC, layout preserved
    words: tuple[Word, ...]

    @property
    def sheet(self) -> str | None:
        """The sheet named in the footer ("— PL01 Tiêu chí hạ tầng   Trang 3/111")."""
        found = _FOOTER.findall(self.text)
        return found[-1][0].strip() if found else None


def read_pages(pdf: Path) -> list[Page]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    bbox = subprocess.run(  # XHTML: a word's text is escaped ("&quot;không&quot;")
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    texts = [unicodedata.normalize("NFC", t) for t in text.split("\f")]
    pages = []
    for n, chunk in enumerate(bbox.split("<page ")[1:]):
        words = tuple(
            Word(
                float(a),
                float(b),
                float(c),
                float(d),
                unicodedata.normalize("NFC", html.unescape(w)),
            )
            for a, b, c, d, w in _WORD.findall(chunk)
        )
        pages.append(Page(n + 1, texts[n] if n < len(texts) else "", words))
    return pages


def pages_per_sheet(pages: list[Page]) -> Counter[str]:
    return Counter(p.sheet or "?" for p in pages)


def overprinted(page: Page) -> list[tuple[str, str]]:
    """Pairs of words printed over each other: their boxes share more than 40 % of the lower
    one's height (lines of one paragraph touch, they do not overlap that much)."""
    words = sorted(page.words, key=lambda w: w.x0)
    found = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b.x0 >= a.x1:
                break
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > 0.5 and dy > 0.4 * min(a.y1 - a.y0, b.y1 - b.y0):
                found.append((a.text, b.text))
    return found
