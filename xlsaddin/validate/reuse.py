"""Outcomes of the files an earlier run read, reused by the next run when nothing they
depend on has changed (stored by ``core/memo.py``).

An office consolidates many times while the communes' files arrive over days; most
files have not changed since the last run. Reading one costs about a hundred times
hashing it (docs/performance.md), so a run hashes every file and reads only those it has not
seen with the same everything-else. A file whose stat (device, inode, size, times) is
the one it had when an earlier run hashed it is not even hashed again (its digest is
kept under that stat, as ``git`` keeps its index): see :data:`SETTLED_SECONDS`. Only on
a local disk (``core/disks.py``): a network share may answer a stat from its cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import stat
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeGuard

from xlsaddin.core.disks import local_folders
from xlsaddin.core.versions import readers_fingerprint
from xlsaddin.intake import Limits
from xlsaddin.intake.limits import MEMORY_ERROR
from xlsaddin.spec.models import AppendixSpec, Mappings
from xlsaddin.validate.jobs import Job, Outcome

if TYPE_CHECKING:
    from xlsaddin.core.memo import Memo

#: Outcomes of files read by an earlier run are reused (``core/memo.py``). The tests
#: turn this off in-process, where they patch what reading a file does.
REUSE = True
_MEMO_FORMAT = 1
_DIGEST_FORMAT = b"sha256-by-stat-1"
_DIGEST = re.compile("[0-9a-f]{64}")

#: A file's digest is kept under its stat only when its times (modified, changed) are
#: this much older than the moment it was hashed. Any later write then gives the file
#: another stat, even where times are counted in 2-second steps (FAT): a file written
#: "just now" is hashed again at every run until it has settled.
SETTLED_SECONDS = 2.0


def _now() -> float:
    return time.time()


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
            digests = self._digests(jobs)
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

    def _digests(self, jobs: Sequence[Job]) -> dict[int, str]:
        """Index -> SHA-256 of each regular file within the size limit: kept from an
        earlier run while the file's stat is the same, else hashed (and kept once
        settled)."""
        now = _now()
        # on a network share a stat may be answered from a cache: there, always hashed
        local = local_folders({os.path.dirname(job.path) for job in jobs})
        stats = {}
        for i, job in enumerate(jobs):
            st = _regular_stat(job)
            if st is not None:
                key = _stat_key(job, st) if os.path.dirname(job.path) in local else None
                stats[i] = (key, st)
        seen = self._memo.get_many([key for key, _ in stats.values() if key is not None])
        digests: dict[int, str] = {}
        settled: list[tuple[str, str]] = []
        for i, (key, st) in stats.items():
            kept = seen.get(key) if key is not None else None
            if _is_digest(kept):
                digests[i] = kept
                continue
            hashed = _hash(jobs[i], st)
            if hashed is None:
                continue
            digests[i], unchanged = hashed
            if (
                key is not None
                and unchanged
                and max(st.st_mtime, st.st_ctime) < now - SETTLED_SECONDS
            ):
                settled.append((key, digests[i]))
        if settled:
            self._memo.put_many(settled)
        return digests

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


def _regular_stat(job: Job) -> os.stat_result | None:
    """The file's stat when it is a regular file within the size limit."""
    try:
        st = os.stat(job.path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > job.limits.max_file_bytes:
        return None
    return st


def _hash(job: Job, st: os.stat_result) -> tuple[str, bool] | None:
    """The file's SHA-256, and whether the file read had the stat ``st`` from before the
    read to after it (no write in between: its digest may be kept under that stat)."""
    try:
        with open(job.path, "rb") as fh:
            before = os.fstat(fh.fileno())
            digest = hashlib.sha256(fh.read(job.limits.max_file_bytes + 1)).hexdigest()
            after = os.fstat(fh.fileno())
    except (OSError, ValueError):
        return None
    return digest, _same_stat(st, before) and _same_stat(st, after)


def _same_stat(a: os.stat_result, b: os.stat_result) -> bool:
    return _stat_parts(a) == _stat_parts(b)


def _stat_parts(st: os.stat_result) -> tuple[int, ...]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _stat_key(job: Job, st: os.stat_result) -> str:
    """The key of a file's digest: its path and stat (no salt: bytes alone decide it)."""
    parts = (_DIGEST_FORMAT, os.fsencode(job.path), *(b"%d" % n for n in _stat_parts(st)))
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _is_digest(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None
