"""Outcomes of the files an earlier run read, reused by the next run when nothing they
depend on has changed (stored by ``core/memo.py``).

An office consolidates many times while the communes' files arrive over days; most
files have not changed since the last run. Reading one costs about a hundred times
hashing it (docs/performance.md), so a run hashes every file and reads only those it has not
seen with the same everything-else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import stat
from collections.abc import Sequence
from typing import TYPE_CHECKING

from xlsaddin.core.versions import readers_fingerprint
from xlsaddin.intake import Limits
from xlsaddin.intake.sniff import MEMORY_ERROR
from xlsaddin.spec.models import AppendixSpec, Mappings
from xlsaddin.validate.jobs import Job, Outcome

if TYPE_CHECKING:
    from xlsaddin.core.memo import Memo

#: Outcomes of files read by an earlier run are reused (``core/memo.py``). The tests
#: turn this off in-process, where they patch what reading a file does.
REUSE = True
_MEMO_FORMAT = 1


class Remembered:
    """The outcome of every file an earlier run read, by a key naming all it depends on:
    the file's bytes, its path and displayed name, the mappings (their fingerprint), the
    closing date, the limits and the code that read it (xlsaddin and its readers). A
    file's outcome is a function of these alone (``validate/run.py:_process``); anything
    else changes the key and the file is read again. Worker failures (memory, time, a
    crash) and verdicts reached because memory ran out are never kept: they depend on
    the machine's moment, not on the file.

    Nothing here may stop a run: any problem with the store (or a bug in it) only means
    that files are read again."""

    def __init__(self, memo: Memo, salt: str, mappings: Mappings) -> None:
        self._memo = memo
        self._salt = salt
        self._mappings = mappings

    @classmethod
    def open(
        cls, mappings: Mappings, closing_date: dt.date | None, limits: Limits
    ) -> Remembered | None:
        if not REUSE or not mappings.fingerprint:
            return None
        from xlsaddin.core.memo import Memo  # sqlite3: not for one file (``validate``)

        try:
            memo = Memo.open("tep-da-doc")
            if memo is None:
                return None
            parts = (_MEMO_FORMAT, readers_fingerprint(), mappings.fingerprint, closing_date)
            named = "\0".join(map(repr, (*parts, limits)))
            return cls(memo, hashlib.sha256(named.encode()).hexdigest(), mappings)
        except Exception:  # only costs time: every file is read
            return None

    def _key(self, job: Job, sha256: str) -> str:
        # a path may hold bytes that are not UTF-8 (kept as surrogates): its own bytes
        parts = (self._salt.encode(), os.fsencode(job.path), os.fsencode(job.name), sha256.encode())
        return hashlib.sha256(b"\0".join(parts)).hexdigest()

    def recall(self, jobs: Sequence[Job]) -> dict[int, Outcome]:
        """Index -> outcome, for the files whose bytes were read before with the rest of
        the key unchanged (hashing a file costs about a hundredth of reading it)."""
        try:
            digests: dict[int, str] = {}
            for i, job in enumerate(jobs):
                digest = digest_of(job)
                if digest is not None:
                    digests[i] = digest
            keys = {i: self._key(jobs[i], digest) for i, digest in digests.items()}
            found = self._memo.get_many(list(keys.values()), self._resolve)
        except Exception:  # only costs time: every file is read
            return {}
        known = {}
        for i, key in keys.items():
            outcome = found.get(key)
            # the value of this very file (a damaged store never hands over another's)
            if isinstance(outcome, Outcome) and outcome.sha256 == digests[i]:
                known[i] = outcome
        return known

    def keep(self, outcomes: Sequence[tuple[Job, Outcome]]) -> None:
        with contextlib.suppress(Exception):  # only costs the next run its time
            self._memo.put_many(
                (
                    (self._key(job, outcome.sha256), outcome)
                    for job, outcome in outcomes
                    if _keepable(outcome)
                ),
                refer=self._refer,
            )

    @staticmethod
    def _refer(obj: object) -> object:
        # each table names its appendix (a copy made by the worker's pickle): kept by id
        return ("spec", obj.id) if type(obj) is AppendixSpec else None

    def _resolve(self, reference: object) -> object:
        if not (isinstance(reference, tuple) and len(reference) == 2 and reference[0] == "spec"):
            raise ValueError("not a reference to an appendix")
        return self._mappings.appendix(str(reference[1]))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._memo.close()


def _keepable(outcome: Outcome) -> bool:
    """A verdict on the file itself: not a worker's failure, not one memory shortage led to."""
    return (
        not outcome.failed
        and bool(outcome.sha256)
        and not any(issue.value == MEMORY_ERROR for issue in outcome.issues)
    )


def digest_of(job: Job) -> str | None:
    """The SHA-256 of a regular file within the size limit, else None (not looked up)."""
    try:
        st = os.stat(job.path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > job.limits.max_file_bytes:
            return None
        with open(job.path, "rb") as fh:
            return hashlib.sha256(fh.read(job.limits.max_file_bytes + 1)).hexdigest()
    except OSError:
        return None
