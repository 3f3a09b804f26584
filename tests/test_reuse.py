"""Outcomes of files already read are reused by a later run (``validate/run.py:_Remembered``,
``core/memo.py``) — and only when nothing they depend on has changed.

The invariant: a run that reuses gives exactly what a run that reads everything again
gives (every issue, every cell), whatever changed in between.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xlsaddin.validate.reading as reading
import xlsaddin.validate.reuse as reuse_mod
from xlsaddin.consolidate.render import to_json
from xlsaddin.core.memo import Memo
from xlsaddin.demo import DemoResult
from xlsaddin.pipeline import Outputs, run_consolidation
from xlsaddin.spec import Mappings, load_mappings
from xlsaddin.validate.jobs import Job
from xlsaddin.validate.reuse import Remembered
from xlsaddin.validate.run import DEFAULT_LIMITS, FileResult, validate_paths

from .paths import MAPPINGS


def _snapshot(result: FileResult) -> tuple[Any, ...]:
    """Everything a run gives for one file, comparable."""
    table = result.table
    read = None
    if table is not None:
        read = (
            table.spec.id,
            table.file,
            table.sha256,
            table.sheet,
            table.header,
            table.rows,
            table.row_labels,
            table.unit_code,
            table.strict,
            table.template,
            [i.model_dump() for i in table.issues],
            table.typed,
        )
    issues = [i.model_dump() for i in result.issues]
    return (str(result.path), result.name, result.sha256, result.size, issues, read)


def _snapshots(paths: list[Path], mappings: Mappings, **kw: Any) -> list[tuple[Any, ...]]:
    return [_snapshot(r) for r in validate_paths(paths, mappings, **kw).files]


@pytest.fixture
def reuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Reuse on, in a cache folder of this test's own."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("XLSADDIN_CACHE", str(folder))
    monkeypatch.setattr(reuse_mod, "REUSE", True)
    return folder


@pytest.fixture
def read_again(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files each run hands to the workers (read, not reused)."""
    handed: list[str] = []
    real = reading.run

    def spy(jobs: list[Any], *args: Any) -> Any:
        handed.extend(job.name for job in jobs)
        return real(jobs, *args)

    monkeypatch.setattr(reading, "run", spy)
    return handed


def _sample(demo: DemoResult, tmp_path: Path, n: int = 8) -> Path:
    """``n`` returned files of the demo (standard forms, foreign layouts, refused files)."""
    files = sorted(p for p in demo.inbox.rglob("*") if p.is_file())
    step = max(1, len(files) // n)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, path in enumerate(files[::step][:n]):
        shutil.copyfile(path, inbox / f"{i:02d}_{path.name}")
    return inbox


def test_a_second_run_reads_only_what_changed(
    demo: DemoResult,
    mappings: Mappings,
    tmp_path: Path,
    reuse: Path,
    read_again: list[str],
) -> None:
    inbox = _sample(demo, tmp_path)
    names = sorted(p.name for p in inbox.iterdir())
    first = _snapshots([inbox], mappings)
    assert sorted(read_again) == names
    read_again.clear()

    assert _snapshots([inbox], mappings) == first  # nothing read, everything the same
    assert read_again == []

    changed = inbox / names[0]
    changed.write_bytes(changed.read_bytes() + b"\0")  # one byte more: another file
    again = _snapshots([inbox], mappings)
    assert read_again == [names[0]]
    assert again[1:] == first[1:] and again[0] != first[0]
    assert (reuse / "tep-da-doc.sqlite").is_file()


def test_a_reused_run_of_the_whole_demo_inbox_equals_a_fresh_one(
    demo: DemoResult, mappings: Mappings, reuse: Path, read_again: list[str]
) -> None:
    """Every file of the demo inbox (clean, mistaken, foreign, hostile): a run that reads
    nothing again gives every issue and every cell a fresh run gives."""
    fresh = _snapshots([demo.inbox], mappings)
    assert read_again
    read_again.clear()
    reused = _snapshots([demo.inbox], mappings)
    assert read_again == []
    assert reused == fresh


def test_a_reused_consolidation_publishes_the_same_figures(
    demo: DemoResult, mappings: Mappings, tmp_path: Path, reuse: Path
) -> None:
    def figures(out: Path) -> dict[str, Any]:
        outputs = run_consolidation_outputs(out)
        result = run_consolidation([demo.inbox], mappings, outputs=outputs)
        data = to_json(result.consolidation, None)
        data.pop("generated_at", None)
        return data

    first = figures(tmp_path / "a")
    assert figures(tmp_path / "b") == first


def run_consolidation_outputs(out: Path) -> Outputs:
    out.mkdir()
    return Outputs(out / "TongHop.xlsx", history=str(out / "lich-su.sqlite"))


@pytest.mark.parametrize("what", ["closing date", "mappings", "limits", "name", "path"])
def test_anything_an_outcome_depends_on_changes_the_key(
    what: str,
    demo: DemoResult,
    mappings: Mappings,
    tmp_path: Path,
    reuse: Path,
    read_again: list[str],
) -> None:
    (tmp_path / "box").mkdir()
    inbox = _sample(demo, tmp_path / "box", n=3)
    closing = mappings.project.period(None).closing_date
    validate_paths([inbox], mappings, closing_date=closing)
    read_again.clear()
    kw: dict[str, Any] = {"closing_date": closing}
    paths = [inbox]
    if what == "closing date":
        kw["closing_date"] = closing + dt.timedelta(days=1)
    elif what == "mappings":
        copy = tmp_path / "mappings"
        shutil.copytree(MAPPINGS, copy)
        project = copy / "project.yaml"
        project.write_text(project.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
        mappings = load_mappings(copy)
    elif what == "limits":
        kw["limits"] = replace(DEFAULT_LIMITS, max_sheet_cells=DEFAULT_LIMITS.max_sheet_cells - 1)
    elif what == "name":  # the same files by the folder above: shown as "inbox/…"
        paths = [tmp_path / "box"]
    else:
        moved = tmp_path / "moved"
        inbox.rename(moved)
        paths = [moved]
    validate_paths(paths, mappings, **kw)
    assert len(read_again) == 3


def _flip_a_byte(path: Path) -> None:
    """The same size, one bit of the middle byte other."""
    data = path.read_bytes()
    at = len(data) // 2
    path.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files each run hashes (the others: digest kept under their stat)."""
    names: list[str] = []
    real = reuse_mod._hash

    def spy(job: Job, st: os.stat_result) -> Any:
        names.append(Path(job.path).name)
        return real(job, st)

    monkeypatch.setattr(reuse_mod, "_hash", spy)
    return names


def test_a_settled_file_is_not_even_hashed_again(
    demo: DemoResult,
    mappings: Mappings,
    tmp_path: Path,
    reuse: Path,
    read_again: list[str],
    hashed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Runs long after the files were written: the second run hashes nothing (the stat
    of each file is the one its digest was kept under); a file rewritten with the same
    size and its old modification time put back is still seen (its change time moved)."""
    inbox = _sample(demo, tmp_path)
    later = time.time() + 60
    monkeypatch.setattr(reuse_mod, "_now", lambda: later)
    names = sorted(p.name for p in inbox.iterdir())
    first = _snapshots([inbox], mappings)
    assert sorted(hashed) == names
    hashed.clear()
    read_again.clear()

    assert _snapshots([inbox], mappings) == first
    assert hashed == [] and read_again == []

    victim = inbox / names[0]
    before = victim.stat()
    _flip_a_byte(victim)
    os.utime(victim, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert victim.stat().st_size == before.st_size
    assert victim.stat().st_mtime_ns == before.st_mtime_ns
    again = _snapshots([inbox], mappings)
    assert hashed == [names[0]] and read_again == [names[0]]
    monkeypatch.setattr(reuse_mod, "REUSE", False)
    assert again == _snapshots([inbox], mappings)
    assert again[0] != first[0]


def test_a_file_written_just_now_is_hashed_at_every_run(
    demo: DemoResult,
    mappings: Mappings,
    tmp_path: Path,
    reuse: Path,
    read_again: list[str],
    hashed: list[str],
) -> None:
    """Within SETTLED_SECONDS of its last write a file could be written again with the
    same stat (times counted in steps): its digest is not kept under its stat, it is
    hashed again (its outcome is still reused when its bytes are the same)."""
    inbox = _sample(demo, tmp_path, n=3)
    _snapshots([inbox], mappings)
    assert len(hashed) == 3
    hashed.clear()
    read_again.clear()
    _snapshots([inbox], mappings)
    assert len(hashed) == 3 and read_again == []


def test_on_a_network_share_every_file_is_hashed_at_every_run(
    demo: DemoResult,
    mappings: Mappings,
    tmp_path: Path,
    reuse: Path,
    read_again: list[str],
    hashed: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A share may answer a stat from its cache after another computer rewrote the file:
    there the stat never stands for the content (the outcome is still reused when the
    bytes hashed are the same)."""
    inbox = _sample(demo, tmp_path, n=3)
    later = time.time() + 60
    monkeypatch.setattr(reuse_mod, "_now", lambda: later)
    monkeypatch.setattr(reuse_mod, "local_folders", lambda folders: set())
    first = _snapshots([inbox], mappings)
    hashed.clear()
    read_again.clear()
    assert _snapshots([inbox], mappings) == first
    assert len(hashed) == 3 and read_again == []


def test_a_file_written_while_it_was_hashed_is_not_kept_under_its_stat(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"first")
    job = Job(str(path), "a.xlsx", "", None, DEFAULT_LIMITS)
    st = os.stat(path)
    digest, unchanged = reuse_mod._hash(job, st) or ("", False)
    assert unchanged and digest
    path.write_bytes(b"second, longer")  # between the stat and the read
    digest2, unchanged2 = reuse_mod._hash(job, st) or ("", True)
    assert not unchanged2 and digest2 != digest


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    edits=st.lists(
        st.tuples(
            st.integers(0, 3), st.sampled_from(["append", "flip", "truncate", "remove", "copy"])
        ),
        max_size=4,
    ),
    settled=st.booleans(),
)
def test_after_any_edits_a_reusing_run_equals_a_fresh_one(
    edits: list[tuple[int, str]],
    settled: bool,
    demo: DemoResult,
    mappings: Mappings,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Files changed, cut short, removed, or added between two runs: the second run,
    reusing what it can, equals a run that reads everything. ``settled``: the runs
    happen long after the files were written (their digests are kept under their stat,
    not hashed again) and each edit happens at a moment of its own."""
    tmp = tmp_path_factory.mktemp("edits")
    monkeypatch.setenv("XLSADDIN_CACHE", str(tmp / "cache"))
    monkeypatch.setattr(reuse_mod, "REUSE", True)
    if settled:
        later = time.time() + 60
        monkeypatch.setattr(reuse_mod, "_now", lambda: later)
    inbox = _sample(demo, tmp, n=4)
    validate_paths([inbox], mappings, processes=1)
    moment = int(time.time() - 3600) * 10**9
    for index, edit in edits:
        files = sorted(inbox.iterdir())
        if not files:
            break
        path = files[index % len(files)]
        data = path.read_bytes()
        written: Path | None = path
        if edit == "append":
            path.write_bytes(data + b"x")
        elif edit == "flip":
            _flip_a_byte(path)
        elif edit == "truncate":
            path.write_bytes(data[: len(data) // 3])
        elif edit == "remove":
            path.unlink()
            written = None
        else:
            written = inbox / f"zz_{len(files)}_{path.name}"
            shutil.copyfile(path, written)
        moment += 10**9  # each edit a second after the one before
        if settled and written is not None:
            os.utime(written, ns=(moment, moment))
    reused = _snapshots([inbox], mappings, processes=1)
    monkeypatch.setattr(reuse_mod, "REUSE", False)
    assert reused == _snapshots([inbox], mappings, processes=1)


def test_worker_failures_are_not_kept(mappings: Mappings, tmp_path: Path, reuse: Path) -> None:
    """A file whose worker ran out of time may read fine on a quieter moment."""
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    job = Job(str(path), "a.xlsx", mappings.root, None, DEFAULT_LIMITS)
    remembered = Remembered.open(mappings, None, DEFAULT_LIMITS)
    assert remembered is not None
    failed = reading._failed(job, "timeout")
    assert failed.failed and failed.sha256
    remembered.keep([(job, failed)])
    assert remembered.recall([job]) == {}
    fine = reading._process(job)
    remembered.keep([(job, fine)])
    assert remembered.recall([job])[0].issues == fine.issues
    remembered.close()


def test_a_damaged_store_is_started_again(
    demo: DemoResult, mappings: Mappings, tmp_path: Path, reuse: Path
) -> None:
    reuse.mkdir(parents=True)
    (reuse / "tep-da-doc.sqlite").write_bytes(b"not a database" * 100)
    inbox = _sample(demo, tmp_path, n=3)
    fresh = _snapshots([inbox], mappings)
    assert _snapshots([inbox], mappings) == fresh
    with sqlite3.connect(reuse / "tep-da-doc.sqlite") as db:
        assert db.execute("SELECT count(*) FROM memo").fetchone()[0] == 3


def test_a_value_that_does_not_load_is_a_miss(tmp_path: Path) -> None:
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    memo.put_many([("a", 1), ("b", [2])])
    with sqlite3.connect(tmp_path / "m.sqlite") as db:
        db.execute("UPDATE memo SET value = ? WHERE key = 'a'", (b"garbage",))
    assert memo.get_many(["a", "b", "c"]) == {"b": [2]}
    memo.close()


def test_the_store_keeps_the_most_recently_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("xlsaddin.core.memo.KEEP", 3)
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    for key in "abcd":
        memo.put_many([(key, key)])
    assert memo.get_many(list("abcd")) == {"b": "b", "c": "c", "d": "d"}
    memo.close()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_a_store_the_user_does_not_own_is_not_used(tmp_path: Path) -> None:
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    memo.put_many([("a", 1)])
    memo.close()
    os.chown(tmp_path / "m.sqlite", 12345, 12345)
    assert Memo.open("m", tmp_path) is None


def test_no_store_when_the_cache_is_off(
    demo: DemoResult, mappings: Mappings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLSADDIN_CACHE", "0")
    monkeypatch.setattr(reuse_mod, "REUSE", True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    inbox = _sample(demo, tmp_path, n=2)
    validate_paths([inbox], mappings)
    assert not (tmp_path / "home").exists() and not (tmp_path / "xdg").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="file names that are not UTF-8")
def test_a_file_name_that_is_not_utf8_is_kept_too(
    demo: DemoResult, mappings: Mappings, tmp_path: Path, reuse: Path, read_again: list[str]
) -> None:
    inbox = _sample(demo, tmp_path, n=2)
    first = sorted(inbox.iterdir())[0]
    os.rename(os.fsencode(first), os.fsencode(inbox) + b"/b\xea\xff.xlsx")
    fresh = _snapshots([inbox], mappings)
    read_again.clear()
    assert _snapshots([inbox], mappings) == fresh
    assert read_again == []


def test_the_command_says_how_many_files_it_did_not_read_again(
    demo: DemoResult, tmp_path: Path
) -> None:
    """As an officer runs it: a new process each time, the cache in the user's folder."""
    import subprocess

    inbox = _sample(demo, tmp_path, n=4)
    env = {**os.environ, "XLSADDIN_CACHE": str(tmp_path / "cache")}
    argv = [sys.executable, "-c", "from xlsaddin.cli import main; main()", "validate", str(inbox)]

    def stderr() -> str:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        assert done.returncode in (0, 1, 2) and "Traceback" not in done.stderr
        return done.stderr

    assert "Dùng lại" not in stderr()
    assert "Dùng lại kết quả đọc của 4 tệp không đổi" in stderr()
    first = sorted(inbox.iterdir())[0]
    first.write_bytes(first.read_bytes()[:-1])
    assert "Dùng lại kết quả đọc của 3 tệp không đổi" in stderr()


def test_a_huge_value_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("xlsaddin.core.memo.MAX_VALUE_BYTES", 1000)
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    memo.put_many([("small", "x"), ("huge", os.urandom(5000))])
    assert set(memo.get_many(["small", "huge"])) == {"small"}
    memo.close()


def test_a_locked_store_is_left_alone(tmp_path: Path) -> None:
    """Another run holding the store: this run reads every file, and the store (with
    the other run's journal) is not touched."""
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    memo.put_many([("a", 1)])
    memo.close()
    other = sqlite3.connect(tmp_path / "m.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("INSERT INTO memo VALUES ('b', 0, x'00')")
    try:
        assert Memo.open("m", tmp_path) is None
    finally:
        other.execute("COMMIT")
        other.close()
    memo = Memo.open("m", tmp_path)
    assert memo is not None and memo.get_many(["a"]) == {"a": 1}
    memo.close()


def test_a_store_of_another_shape_is_started_again(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "m.sqlite") as db:
        db.execute("CREATE TABLE memo (a, b)")
    memo = Memo.open("m", tmp_path)
    assert memo is not None
    memo.put_many([("a", 1)])
    assert memo.get_many(["a"]) == {"a": 1}
    memo.close()


def test_a_verdict_reached_for_want_of_memory_is_not_kept(
    mappings: Mappings, tmp_path: Path, reuse: Path
) -> None:
    from xlsaddin.core import codes
    from xlsaddin.core.issues import Issue

    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 whatever")
    job = Job(str(path), "a.xlsx", mappings.root, None, DEFAULT_LIMITS)
    remembered = Remembered.open(mappings, None, DEFAULT_LIMITS)
    assert remembered is not None
    outcome = reading._process(job)
    short = Issue.of(codes.FILE_CORRUPT, message="x", file="a.xlsx", value="MemoryError")
    remembered.keep([(job, replace(outcome, issues=[short]))])
    assert remembered.recall([job]) == {}
    remembered.close()


def test_the_code_fingerprint_sees_library_data_and_survives_dangling_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list of communes lives in vietnam_provinces' data folder: an update of it
    must change the key. An editor's lock file (a dangling link) must not stop a run."""
    from xlsaddin.core import versions

    package = tmp_path / "fakereader"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    data = package / "data" / "units.json"
    data.write_text("[1, 2]", encoding="utf-8")
    (package / ".#lock").symlink_to(tmp_path / "nowhere")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(versions, "_READERS", ("fakereader",))
    versions.readers_fingerprint.cache_clear()
    before = versions.readers_fingerprint()
    data.write_text("[1, 2, 3]", encoding="utf-8")
    versions.readers_fingerprint.cache_clear()
    assert versions.readers_fingerprint() != before
    versions.readers_fingerprint.cache_clear()  # the next caller computes the real one


def test_the_libraries_that_decide_a_reading_are_in_the_key() -> None:
    from xlsaddin.core import versions

    assert {"python_calamine", "vietnam_provinces", "babel"} <= set(versions._READERS)
