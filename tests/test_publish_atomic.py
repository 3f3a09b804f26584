"""A run publishes all its outputs or none, whenever it is killed (kill -9), and the next
run (or ``xlsaddin report``) completes or cleans up what a dead run left.

Each kill test runs a real consolidation in a child process (``tests/publish_child.py``)
that stops dead at one moment of publishing; the test sends SIGKILL, then checks what is
in the folder before and after the next run settles it.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, finance_workbook
from xlsaddin.consolidate.history import HistoryStore
from xlsaddin.consolidate.journal import (
    JOURNAL_PREFIX,
    Journal,
    append_once,
    settle,
)
from xlsaddin.core.processes import pid_alive
from xlsaddin.spec import Mappings

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


@dataclass(frozen=True)
class State:
    workbook: str | None  # run id in the workbook's document properties
    json: str | None
    audit: list[str]  # run id of every audit line, in order
    history: list[tuple[str | None, str]]  # (run_id, state) of every history row
    temporaries: list[str]
    journals: list[str]

    @property
    def published(self) -> list[str]:
        return [r for r, state in self.history if state == "published" and r]

    def consistent(self) -> str:
        """The one run id the whole set carries (fails if the set is mixed)."""
        latest = self.published[-1]
        assert self.workbook == self.json == self.audit[-1] == latest, self
        assert not self.temporaries and not self.journals, self
        assert len(set(self.audit)) == len(self.audit), self  # no line twice
        return latest


def state_of(folder: Path) -> State:
    workbook = None
    book = folder / "TINH.xlsx"
    if book.exists():
        custom = zipfile.ZipFile(book).read("docProps/custom.xml").decode()
        workbook = custom.split("<vt:lpwstr>")[1].split("<")[0]
    data = folder / "TINH.json"
    run_json = json.loads(data.read_text(encoding="utf-8"))["run_id"] if data.exists() else None
    audit_file = folder / "xlsaddin-nhat-ky.jsonl"
    audit = []
    if audit_file.exists():
        audit = [json.loads(line)["run_id"] for line in audit_file.read_text().splitlines()]
    db = folder / "xlsaddin-lich-su.sqlite"
    rows: list[tuple[str | None, str]] = []
    if db.exists():
        with sqlite3.connect(db) as raw:
            rows = raw.execute("SELECT run_id, state FROM runs ORDER BY id").fetchall()
    names = sorted(p.name for p in folder.iterdir())
    return State(
        workbook,
        run_json,
        audit,
        rows,
        [n for n in names if n.startswith(".tmp-")],
        [n for n in names if n.startswith(JOURNAL_PREFIX)],
    )


def run_child(inbox: Path, out: Path, target: str = "-", when: str = "", nth: int = 0) -> None:
    """Run a consolidation in a child; with a target, SIGKILL it when it gets there."""
    marker = out / ".angekommen"
    marker.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.publish_child", str(inbox), str(out), target, when, str(nth)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    if target == "-":
        _, err = child.communicate(timeout=240)
        assert child.returncode == 0, err.decode()
        return
    deadline = time.monotonic() + 240
    while not marker.exists():
        if child.poll() is not None:
            raise AssertionError(f"child ended before {target}: {child.stderr.read().decode()}")
        assert time.monotonic() < deadline, "child never reached the kill point"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    marker.unlink()


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, mappings: Mappings) -> Path:
    folder = tmp_path_factory.mktemp("hop_thu")
    finance_workbook(mappings, folder / "pl02.xlsx")
    return folder


def settle_as_next_run(out: Path) -> None:
    store = HistoryStore.at_path(out / "xlsaddin-lich-su.sqlite")
    try:
        from xlsaddin.publish import settle_outputs

        settle_outputs([out], store)
    finally:
        store.close()


#: Moments before the commit point (the journal): the previous set stays, untouched.
BEFORE_COMMIT = [
    ("xlsaddin.publish:_stage", "before", 1),  # nothing staged yet
    ("xlsaddin.publish:_stage", "after", 1),  # workbook staged
    ("xlsaddin.publish:_stage", "after", 2),  # JSON staged
    ("xlsaddin.consolidate.history:HistoryStore.record", "after", 1),  # pending row stored
    ("xlsaddin.consolidate.journal:write_durably", "before", 1),  # journal not yet written
]
#: Moments after the commit point: the next run completes the new set.
AFTER_COMMIT = [
    ("xlsaddin.consolidate.journal:write_durably", "after", 1),  # before any rename
    ("os:replace", "after", 2),  # workbook renamed, JSON not: during the renames
    ("os:replace", "after", 3),  # both renamed
    ("xlsaddin.consolidate.history:HistoryStore.mark_published", "after", 1),
    ("xlsaddin.consolidate.journal:append_once", "after", 1),  # audit written, journal left
]


@pytest.mark.parametrize(("target", "when", "nth"), BEFORE_COMMIT)
def test_kill_before_the_commit_keeps_the_previous_set(
    inbox: Path, tmp_path: Path, target: str, when: str, nth: int
) -> None:
    run_child(inbox, tmp_path)
    previous = state_of(tmp_path).consistent()
    run_child(inbox, tmp_path, target, when, nth)
    killed = state_of(tmp_path)
    assert killed.workbook == killed.json == killed.audit[-1] == previous
    assert killed.published[-1] == previous and not killed.journals
    settle_as_next_run(tmp_path)
    assert state_of(tmp_path).consistent() == previous  # leftovers of the dead run removed
    run_child(inbox, tmp_path)  # and the next run publishes normally
    after = state_of(tmp_path)
    assert after.consistent() != previous and len(after.audit) == 2


@pytest.mark.parametrize(("target", "when", "nth"), AFTER_COMMIT)
def test_kill_after_the_commit_is_completed_by_the_next_run(
    inbox: Path, tmp_path: Path, target: str, when: str, nth: int
) -> None:
    run_child(inbox, tmp_path)
    previous = state_of(tmp_path).consistent()
    run_child(inbox, tmp_path, target, when, nth)
    killed = state_of(tmp_path)
    (journal_name,) = killed.journals
    new = Journal.load(tmp_path / journal_name).run_id
    assert killed.published[-1] in (previous, new)  # readers see one or the other, never both
    settle_as_next_run(tmp_path)
    settled = state_of(tmp_path)
    assert settled.consistent() == new
    assert settled.audit == [previous, new]


def test_report_completes_a_dead_run_before_reading(
    inbox: Path, tmp_path: Path, mappings: Mappings
) -> None:
    from xlsaddin.report import make_report

    run_child(inbox, tmp_path)
    run_child(inbox, tmp_path, "os:replace", "after", 2)
    assert state_of(tmp_path).journals
    make_report(tmp_path / "TINH.xlsx", mappings, tmp_path / "bc" / "BC.docx")
    state_of(tmp_path).consistent()


def test_a_live_run_is_not_disturbed(tmp_path: Path) -> None:
    journal = Journal("20250101T000000Z-live", os.getpid() + 0, "2999-01-01T00:00:00+00:00")
    journal.pid = os.getppid()  # alive, and not us
    (tmp_path / f"{JOURNAL_PREFIX}x.json").write_bytes(journal.dump())
    staged = tmp_path / f".tmp-{os.getppid()}-live-TINH.xlsx"
    staged.write_bytes(b"x")
    from xlsaddin.core.failures import OfficerError

    with pytest.raises(OfficerError, match="đang ghi"):
        settle([tmp_path])
    assert staged.exists()


def test_dead_temporaries_are_removed_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    assert not pid_alive(dead_pid)
    leftover = tmp_path / f".tmp-{dead_pid}-abcd-TINH.xlsx"
    mine = tmp_path / f".tmp-{os.getpid()}-abcd-TINH.xlsx"
    for p in (leftover, mine):
        p.write_bytes(b"x")
    removed = settle([tmp_path]).removed
    assert removed == [leftover] and mine.exists() and not leftover.exists()


def test_audit_line_is_appended_once_and_a_torn_line_of_the_run_is_cut(tmp_path: Path) -> None:
    log = tmp_path / "a.jsonl"
    log.write_text('{"run_id": "A"}\n{"run_id": "B", "inp')  # B died mid-append
    append_once(log, '{"run_id": "B", "inputs": 1}', "B")
    append_once(log, '{"run_id": "B", "inputs": 1}', "B")
    assert log.read_text().splitlines() == ['{"run_id": "A"}', '{"run_id": "B", "inputs": 1}']
    log.write_text('{"run_id": "A", "x')  # someone else's torn line is left alone
    append_once(log, '{"run_id": "C"}', "C")
    assert log.read_text().splitlines() == ['{"run_id": "A", "x', '{"run_id": "C"}']


def _worker_pids(folder: Path) -> list[int]:
    return [int(p.name) for p in folder.iterdir()]


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    script = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from xlsaddin.intake import isolated_map, Limits\n"
        "def hang(x):\n"
        "    Path(sys.argv[1], str(os.getpid())).touch()\n"
        "    time.sleep(120)\n"
        "if __name__ == '__main__':\n"
        "    isolated_map(hang, [1, 2], Limits(worker_timeout_s=300))\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 60
    while len(_worker_pids(tmp_path)) < 2:
        assert time.monotonic() < deadline and child.poll() is None
        time.sleep(0.05)
    workers = _worker_pids(tmp_path)
    assert all(pid_alive(p) for p in workers)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(pid_alive(p) for p in workers):
        assert time.monotonic() < deadline, "workers outlived their parent"
        time.sleep(0.05)
