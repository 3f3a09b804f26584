"""How a free-text answer is compared: one definition for the figures and the phụ lục.

The outline asks communes to write "không" where an item has nothing to report. Officers
write it many ways ("Không.", "không có", "ko", "-"), so a sentence counting the units
"có ý kiến" and the phụ lục listing their answers must agree on what says nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
NOTHING_WORDS = frozenset({"không", "khong", "không có", "ko", "k", "-", "0"})


@lru_cache(maxsize=16384)  # the same few answers and choices, thousands of times a run
def normalised(text: str) -> str:
    """NFC, one space, case and final punctuation ignored."""
    folded = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip().casefold()
    return folded.rstrip(" .;,")


def says_nothing(text: str) -> bool:
    """Blank, or one of the ways of writing "không"."""
    key = normalised(text)
    return not key or key in NOTHING_WORDS


def same_answer(value: object, wanted: str) -> bool:
    """``value`` is the answer ``wanted``: equal once normalised, or both say nothing."""
    if not isinstance(value, str):
        return False
    return normalised(value) == normalised(wanted) or (says_nothing(wanted) and says_nothing(value))
