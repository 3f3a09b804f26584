"""Matching typed values against a choice list ("Đã hoàn thành", "Đạt", "Có", ...).

The synonyms file (``mappings/synonyms.yaml``) lists, per canonical choice, the variants
officers type::

    synonyms:
      Đạt: [đạt, dat, x, có]
      Có: [có, co, x, "yes"]

Variants are compared after :func:`xlsaddin.text.names.fold`.  The same variant may belong to
several canonicals ("x" is "Đạt" in a criterion column and "Có" in a yes/no column), so
:func:`load_synonyms` maps each folded variant to *all* its canonicals and
:func:`match_choice` keeps only those in the column's ``allowed`` list; if more than one
remains the value is invalid -- never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from xlsaddin.text.names import fold, nfc

__all__ = [
    "ChoiceResult",
    "ChoiceStatus",
    "Synonyms",
    "fold_synonyms",
    "load_synonyms",
    "match_choice",
]

ChoiceStatus = Literal["ok", "synonym", "blank", "invalid"]
#: folded variant -> canonical choice(s); a plain ``str`` value is one canonical.
Synonyms = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class ChoiceResult:
    value: str | None
    status: ChoiceStatus
    note: str = ""


def load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    """Read ``synonyms: {canonical: [variants...]}``; return folded variant -> canonicals.

    Each canonical also matches itself.  Raises ValueError (naming the file) when the layout is
    wrong, an entry is not text (YAML reads bare ``yes``/``no`` as booleans: quote them), or two
    canonicals are the same after folding.
    """
    import yaml  # here: the commands take synonyms from the loaded mappings

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    table = data.get("synonyms") if isinstance(data, dict) else None
    if not isinstance(table, dict):
        raise ValueError(f"{path}: expected a mapping 'synonyms: {{canonical: [variants]}}'")
    return fold_synonyms(table, str(path))


def fold_synonyms(table: Mapping[object, object], path: str) -> dict[str, tuple[str, ...]]:
    """``{canonical: [variants]}`` -> folded variant -> canonicals (see :func:`load_synonyms`;
    ``path`` names the source in errors)."""
    result: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    for canonical, variants in table.items():
        if not isinstance(canonical, str) or not nfc(canonical):
            raise ValueError(f"{path}: canonical {canonical!r} must be non-empty text")
        canonical = nfc(canonical)
        if (key := fold(canonical)) in seen:
            raise ValueError(f"{path}: canonicals {seen[key]!r} and {canonical!r} are the same")
        seen[key] = canonical
        if not isinstance(variants, (list, tuple)):
            raise ValueError(f"{path}: variants of {canonical!r} must be a list")
        for variant in [canonical, *variants]:
            if not isinstance(variant, str) or not nfc(variant):
                raise ValueError(
                    f"{path}: variant {variant!r} of {canonical!r} must be non-empty text "
                    "(quote yes/no/on/off and numbers)"
                )
            targets = result.setdefault(fold(variant), [])
            if canonical not in targets:
                targets.append(canonical)
    return {key: tuple(targets) for key, targets in result.items()}


def _targets(entry: str | Sequence[str] | None) -> tuple[str, ...]:
    if entry is None:
        return ()
    return (entry,) if isinstance(entry, str) else tuple(entry)


def match_choice(value: object, allowed: Sequence[str], synonyms: Synonyms) -> ChoiceResult:
    """Map a cell value onto one of ``allowed``.

    exact match after NFC/strip -> ok; case/tone-placement variant of an allowed choice or a
    synonym whose canonical is allowed -> synonym; empty -> blank; no match, or several allowed
    choices matching -> invalid.
    """
    text = "" if value is None else nfc(str(value))
    if not text:
        return ChoiceResult(None, "blank")
    choices = {nfc(a): a for a in allowed}
    if text in choices:
        return ChoiceResult(choices[text], "ok")
    key = fold(text)
    hits = [a for n, a in choices.items() if fold(n) == key]
    hits += [choices[c] for c in map(nfc, _targets(synonyms.get(key))) if c in choices]
    found = list(dict.fromkeys(hits))
    if len(found) == 1:
        return ChoiceResult(found[0], "synonym")
    if found:
        return ChoiceResult(None, "invalid", f"không rõ: {' / '.join(found)} / ambiguous")
    return ChoiceResult(None, "invalid", f"không thuộc danh sách / not one of {list(allowed)}")
