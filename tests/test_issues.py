"""``Issue.make``: the same Issue as pydantic's validation gives, without its validator."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue, RuleKind
from xlsaddin.demo import DemoResult

TEXTS = ("appendix", "file", "sheet", "cell", "value", "rule", "row", "column", "row_key")

_text = st.one_of(st.none(), st.text(max_size=8), st.integers(-3, 3), st.floats(0, 2))
_fields = st.fixed_dictionaries(
    {
        "code": st.one_of(
            st.sampled_from([c.code for c in codes.CATALOGUE.values()]),
            st.sampled_from(["Sai", "a--b", "", "x y", "so-lieu-2"]),
            st.integers(0, 3),
        ),
        "severity": st.sampled_from(["error", "warning", "Lỗi", None]),
        "message": st.one_of(st.text(max_size=12), st.none(), st.integers(0, 3)),
    },
    optional={
        **{key: _text for key in TEXTS},
        "unit_code": st.one_of(st.none(), st.integers(0, 99_999), st.booleans(), st.just("21025")),
        "rule_kind": st.one_of(st.none(), st.sampled_from([*get_args(RuleKind), "khac"])),
        "khong_co": st.text(max_size=3),  # a field Issue does not have
    },
)


def _built(fields: dict[str, Any]) -> Issue | type[ValidationError]:
    try:
        return Issue(**fields)
    except ValidationError:
        return ValidationError


def _made(fields: dict[str, Any]) -> Issue | type[ValidationError]:
    try:
        return Issue.make(**fields)
    except ValidationError:
        return ValidationError


@settings(max_examples=500, deadline=None)
@given(_fields)
def test_make_gives_what_validation_gives(fields: dict[str, Any]) -> None:
    """Whatever the fields (right types, wrong types, missing, unknown): the same Issue,
    the same fields set, the same dump and pickle, or the same refusal."""
    built, made = _built(fields), _made(fields)
    assert made == built
    if isinstance(built, Issue):
        assert isinstance(made, Issue)
        assert made.model_fields_set == built.model_fields_set
        assert made.model_dump() == built.model_dump()
        assert made.model_dump(exclude_unset=True) == built.model_dump(exclude_unset=True)
        assert pickle.loads(pickle.dumps(made)) == built
        assert hash(made) == hash(built)


def test_every_catalogued_code_takes_the_fast_path() -> None:
    for code in codes.CATALOGUE.values():
        issue = Issue.of(code, "Thông báo", file="a.xlsx", unit_code=21025, rule_kind="cell")
        assert issue == Issue(
            code=code.code,
            severity=code.severity,
            message="Thông báo",
            file="a.xlsx",
            unit_code=21025,
            rule_kind="cell",
        )


_CHECK_ALL = """
import sys
from pathlib import Path
from xlsaddin.intake.limits import Limits
from xlsaddin.spec import load_mappings
from xlsaddin.validate import reading
from xlsaddin.validate.jobs import Job

mappings = load_mappings()
reading.prepare(mappings, several=True)
issues = 0
for path in sorted(Path(sys.argv[1]).rglob("*")):
    if path.is_file():
        job = Job(str(path), path.name, mappings.root, None, Limits())
        issues += len(reading._process(job).issues)
print(issues, "importlib.metadata" in sys.modules)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the demo's copies of the mappings")
def test_checking_the_demo_inbox_builds_no_validator(demo: DemoResult, tmp_path: Path) -> None:
    """Every issue the demo inbox gives (intake, reading, every kind of check) takes the
    fast path: pydantic's validator, and with it ``importlib.metadata``, is never loaded
    once the mappings come from the cache (the first process fills it)."""
    for _ in range(2):
        proc = subprocess.run(
            [sys.executable, "-c", _CHECK_ALL, str(demo.inbox)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
    issues, loaded = proc.stdout.split()
    assert int(issues) > 200
    assert loaded == "False"
