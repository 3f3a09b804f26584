"""The issue-code catalogue is the only place codes are spelled, and the docs follow it."""

from __future__ import annotations

import ast
from pathlib import Path

from xlsaddin.core.codes import CATALOGUE, markdown_table
from xlsaddin.demo import DemoResult
from xlsaddin.spec import Mappings
from xlsaddin.spec.models import CheckRule, DeadlineRule

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "xlsaddin"
CATALOGUE_FILE = PACKAGE / "core" / "codes.py"


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_no_code_is_spelled_outside_the_catalogue() -> None:
    stray = [
        f"{path.relative_to(ROOT)}:{line}: {value!r}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != CATALOGUE_FILE
        for line, value in _string_constants(path)
        if value in CATALOGUE
    ]
    assert stray == [], "use the constants of xlsaddin.core.codes:\n" + "\n".join(stray)


def test_the_stray_literal_scan_finds_a_literal(tmp_path: Path) -> None:
    """The scan above is not vacuous: it sees a code written as a string."""
    sample = tmp_path / "sample.py"
    sample.write_text('CODE = "file-corrupt"\n', encoding="utf-8")
    assert [v for _, v in _string_constants(sample) if v in CATALOGUE] == ["file-corrupt"]


def test_docs_table_is_generated_from_the_catalogue() -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    begin = text.index("-->\n", text.index("<!-- codes:begin")) + len("-->\n")
    end = text.index("<!-- codes:end -->")
    assert text[begin:end] == markdown_table(), "run: python -m xlsaddin.core.codes"


def test_catalogue_entries_are_complete() -> None:
    for code, entry in CATALOGUE.items():
        assert entry.code == code
        assert entry.title and entry.action and entry.commands
        assert entry.title == entry.title.strip() and entry.action.endswith(".")


def test_every_emitted_code_is_catalogued_or_a_declared_rule(
    demo: DemoResult, mappings: Mappings
) -> None:
    from xlsaddin.consolidate import consolidate

    result = consolidate([demo.inbox], mappings)
    rule_ids = {r.id for spec in mappings.appendices for r in spec.rules}
    emitted = {i.code for i in result.issues}
    assert emitted, "the demo inbox has deliberate mistakes"
    assert emitted <= set(CATALOGUE) | rule_ids, emitted - set(CATALOGUE) - rule_ids
    for issue in result.issues:
        if issue.code in CATALOGUE:
            assert issue.severity == CATALOGUE[issue.code].severity, issue
        else:
            rule = next(r for s in mappings.appendices for r in s.rules if r.id == issue.code)
            assert issue.severity == rule.severity
            kind = "check" if isinstance(rule, CheckRule) else rule.kind
            assert issue.rule_kind == kind and issue.row_key is not None
            assert isinstance(rule, CheckRule | DeadlineRule)
