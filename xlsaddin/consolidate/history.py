"""History of consolidation runs, so a period can be compared with the one before it.

Each ``xlsaddin consolidate`` run stores its headline figures (province-level and per-unit)
here; the next period's report can then say "tăng 237 so với kỳ trước".

Storage is a SQLite file through the standard library's ``sqlite3``
(:meth:`HistoryStore.at_path`).  Database URLs (SQLAlchemy's ``postgresql://…``,
``sqlite:///…``) were accepted by earlier versions and are now refused with a clear message
(:class:`NotAHistoryPath`): a provincial history is a few hundred figures a period.

Schema (version :data:`SCHEMA_VERSION`):

``runs``
    ``id`` (integer primary key), ``period_id`` (text, indexed, e.g.
    ``"2025-q4"``), ``started_at`` (text: UTC ISO 8601 with a fixed layout
    ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, so text order is time order), ``tool_version``,
    ``mappings_hash`` (text), ``inputs`` (integer: number of input files).
``figures``
    ``run_id`` (foreign key -> ``runs.id``, indexed, ON DELETE CASCADE), ``appendix``,
    ``key`` (text), ``unit_code`` (integer, NULL = province-level figure), ``value`` (float).
``schema_version``
    one row, column ``version`` (integer).  Written when the tables are first created.  A
    store opened on a database whose version is newer than this code refuses to work
    (:class:`SchemaVersionError`); an older one is upgraded by the steps in
    ``_MIGRATIONS`` and the row updated.  Version 1 is the layout above.
Version 2 adds to ``runs``: ``run_id`` (text, unique: the id every output of the run
    carries) and ``state`` (``"published"``, or ``"pending"`` while the run's files are not
    yet in place). Readers only ever see published runs. A version-1 database is upgraded
    when opened (its runs are published, without a run id).

Recording a run is one transaction: either the run and all its figures are stored, or nothing.
A run that publishes files records itself ``pending`` first and is marked published once its
files are in place (:mod:`xlsaddin.consolidate.journal`), so a run killed in between never
shows up as the previous period's figures.
"""

from __future__ import annotations

import datetime
import math
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import TracebackType

from xlsaddin.text.numbers import format_vi

__all__ = [
    "SCHEMA_VERSION",
    "Figure",
    "FigureKey",
    "HistoryStore",
    "NotAHistoryPath",
    "RunRecord",
    "SchemaVersionError",
    "change_phrase",
]

SCHEMA_VERSION = 2
PUBLISHED, PENDING = "published", "pending"

FigureKey = tuple[str, str, int | None]
"""``(appendix, key, unit_code)``; ``unit_code`` None = province-level figure."""


@dataclass(frozen=True)
class Figure:
    appendix: str  # e.g. "ket_qua_tthc"
    key: str  # indicator key, e.g. "received_total"
    value: float
    unit_code: int | None = None  # None = province-level figure; else per-unit figure


@dataclass(frozen=True)
class RunRecord:
    period_id: str
    started_at: datetime.datetime  # timezone-aware (stored as UTC)
    tool_version: str
    mappings_hash: str
    inputs: int  # number of input files
    figures: tuple[Figure, ...]
    run_id: str | None = None  # the id the run's workbook, JSON and audit line carry


class SchemaVersionError(RuntimeError):
    """The history database was written by a newer, incompatible version of xlsaddin."""


# --------------------------------------------------------------------------- schema

_ISO_LAYOUT = "%Y-%m-%dT%H:%M:%S.%f+00:00"

#: Version 1, as SQLAlchemy created it before the store moved to ``sqlite3`` (the same
#: tables, columns, indexes and constraints, so files written by either open in both).
_SCHEMA_V1 = (
    """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER NOT NULL,
    period_id VARCHAR(64) NOT NULL,
    started_at VARCHAR(32) NOT NULL,
    tool_version VARCHAR(64) NOT NULL,
    mappings_hash VARCHAR(128) NOT NULL,
    inputs INTEGER NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX IF NOT EXISTS ix_runs_period_id ON runs (period_id)",
    """CREATE TABLE IF NOT EXISTS figures (
    run_id INTEGER NOT NULL,
    appendix VARCHAR(128) NOT NULL,
    "key" VARCHAR(128) NOT NULL,
    unit_code INTEGER,
    value FLOAT NOT NULL,
    FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE
)""",
    "CREATE INDEX IF NOT EXISTS ix_figures_run_id ON figures (run_id)",
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
)

#: Migrations: ``_MIGRATIONS[n]`` upgrades a version-``n`` database to ``n + 1`` (inside
#: the opening transaction; :meth:`HistoryStore._init_schema` runs them in order and
#: updates ``schema_version``). A new database is created at version 1 and migrated.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE runs ADD COLUMN run_id VARCHAR(64)",
        f"ALTER TABLE runs ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT '{PUBLISHED}'",
        "CREATE UNIQUE INDEX IF NOT EXISTS ix_runs_run_id ON runs (run_id)",
    ),
}


class NotAHistoryPath(ValueError):
    """``--history`` / ``$XLSADDIN_HISTORY`` is a database URL, not a SQLite file path."""


def _utc_text(value: datetime.datetime) -> str:
    """Fixed-layout UTC ISO text: text order is time order."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("started_at must be timezone-aware")
    return value.astimezone(datetime.UTC).strftime(_ISO_LAYOUT)


def _from_utc_text(value: object) -> datetime.datetime:
    parsed = datetime.datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC)


def _insert_figures(conn: sqlite3.Connection, run_id: int, figures: Sequence[Figure]) -> None:
    """Insert the figures of one run (inside the caller's transaction)."""
    conn.executemany(
        'INSERT INTO figures (run_id, appendix, "key", unit_code, value) VALUES (?, ?, ?, ?, ?)',
        [(run_id, f.appendix, f.key, f.unit_code, float(f.value)) for f in figures],
    )


def _validate(run: RunRecord) -> None:
    if not run.period_id:
        raise ValueError("period_id must not be empty")
    if run.started_at.tzinfo is None or run.started_at.utcoffset() is None:
        raise ValueError("started_at must be timezone-aware")
    if run.inputs < 0:
        raise ValueError("inputs must not be negative")
    seen: set[FigureKey] = set()
    for f in run.figures:
        k: FigureKey = (f.appendix, f.key, f.unit_code)
        if k in seen:
            raise ValueError(f"duplicate figure {k!r} in one run")
        seen.add(k)
        if not math.isfinite(f.value):
            raise ValueError(f"figure {k!r} is not a finite number: {f.value!r}")


# --------------------------------------------------------------------------- store


class HistoryStore:
    """Runs and their figures in a SQLite file (standard library ``sqlite3``).

    ``path`` is a file path (its folder is created if missing) or ``":memory:"``.
    A database URL (``postgresql://…``, ``sqlite:///…``) is refused with
    :class:`NotAHistoryPath`: only SQLite files are supported.
    """

    def __init__(self, path: str | Path) -> None:
        text = str(path)
        if "://" in text:
            raise NotAHistoryPath(
                f"--history cần đường dẫn tệp SQLite (ví dụ lich-su.sqlite), không nhận URL "
                f"cơ sở dữ liệu: {text} / --history takes a SQLite file path; database URLs "
                f"(SQLAlchemy) are no longer supported"
            )
        if text != ":memory:":
            Path(text).parent.mkdir(parents=True, exist_ok=True)
        self.path = text
        # autocommit off by hand: every write below is an explicit BEGIN ... COMMIT
        self._conn = sqlite3.connect(text, isolation_level=None)
        try:
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._init_schema()
        except BaseException:
            self._conn.close()
            raise

    @classmethod
    def at_path(cls, path: Path) -> HistoryStore:
        """Store in the SQLite file ``path`` (its folder is created if missing)."""
        return cls(Path(path))

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _init_schema(self) -> None:
        with self._transaction() as conn:
            # statement by statement: executescript() would commit the open transaction
            for statement in _SCHEMA_V1:
                conn.execute(statement)
            (version,) = conn.execute("SELECT max(version) FROM schema_version").fetchone()
            if version is None:  # a new database: version 1 tables, migrated below
                conn.execute("INSERT INTO schema_version (version) VALUES (1)")
                version = 1
            version = int(version)
            if version > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"history database schema version {version} is newer than supported "
                    f"version {SCHEMA_VERSION}; upgrade xlsaddin"
                )
            for step in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[step]:
                    conn.execute(statement)
            if version < SCHEMA_VERSION:
                conn.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    @property
    def url(self) -> str:
        """Where the store is (its file path): how a journal names it."""
        return self.path if self.path == ":memory:" else str(Path(self.path).resolve())

    @property
    def schema_version(self) -> int:
        (version,) = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(version) if version is not None else 0

    # -- writing

    def record(self, run: RunRecord, *, pending: bool = False) -> int:
        """Store ``run`` and its figures in one transaction; return the new row id.

        ``pending``: invisible to readers until :meth:`mark_published` (needs a run_id).
        """
        _validate(run)
        if pending and not run.run_id:
            raise ValueError("a pending run needs a run_id")
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (period_id, started_at, tool_version, mappings_hash, inputs, "
                "run_id, state) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run.period_id,
                    _utc_text(run.started_at),
                    run.tool_version,
                    run.mappings_hash,
                    run.inputs,
                    run.run_id,
                    PENDING if pending else PUBLISHED,
                ),
            )
            if cursor.lastrowid is None:  # pragma: no cover - SQLite always has one
                raise RuntimeError("database did not return the new run id")
            run_id = int(cursor.lastrowid)
            _insert_figures(conn, run_id, run.figures)
        return run_id

    def mark_published(self, run: RunRecord) -> None:
        """Make the pending run ``run.run_id`` visible; store it published if it is not
        there at all (a journal rolled forward against a store that lost it). Idempotent."""
        if not run.run_id:
            raise ValueError("mark_published needs a run_id")
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET state = ? WHERE run_id = ?", (PUBLISHED, run.run_id)
            )
            if cursor.rowcount:
                return
        self.record(run)

    def discard_run(self, run_id: str) -> None:
        """Delete the pending run ``run_id`` (its files were never published)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM runs WHERE run_id = ? AND state = ?", (run_id, PENDING))

    def discard_pending(self, older_than: datetime.datetime) -> int:
        """Delete pending runs started before ``older_than`` (runs that died before their
        files were published); the number deleted."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM runs WHERE state = ? AND started_at < ?",
                (PENDING, _utc_text(older_than)),
            )
            return int(cursor.rowcount or 0)

    # -- reading (published runs only)

    def _latest_run_id(self, period_id: str) -> int | None:
        row = self._conn.execute(
            "SELECT id FROM runs WHERE period_id = ? AND state = ? "
            "ORDER BY started_at DESC, id DESC LIMIT 1",
            (period_id, PUBLISHED),
        ).fetchone()
        return None if row is None else int(row[0])

    def _figures_of(self, run_id: int) -> dict[FigureKey, float]:
        rows = self._conn.execute(
            'SELECT appendix, "key", unit_code, value FROM figures WHERE run_id = ?', (run_id,)
        )
        return {(str(a), str(k), None if u is None else int(u)): float(v) for a, k, u, v in rows}

    def latest(self, period_id: str) -> dict[FigureKey, float] | None:
        """Figures of the most recent run of ``period_id`` (by started_at, then id).

        None when the period has no run; ``{}`` when its latest run stored no figures.
        """
        run_id = self._latest_run_id(period_id)
        return None if run_id is None else self._figures_of(run_id)

    def previous(
        self, period_id: str, ordered_periods: Sequence[str]
    ) -> tuple[str, dict[FigureKey, float]] | None:
        """The closest period before ``period_id`` in ``ordered_periods`` that has a run.

        ``ordered_periods`` is the chronological list of period ids and must contain
        ``period_id`` (ValueError otherwise).  Returns ``(that period id, its latest
        figures)``, or None when no earlier period has a run.  Later periods are ignored.
        """
        periods = list(ordered_periods)
        try:
            index = periods.index(period_id)
        except ValueError:
            raise ValueError(f"period {period_id!r} is not in ordered_periods") from None
        for candidate in reversed(periods[:index]):
            run_id = self._latest_run_id(candidate)
            if run_id is not None:
                return candidate, self._figures_of(run_id)
        return None

    def runs(self, period_id: str | None = None) -> list[dict[str, object]]:
        """Run metadata (oldest first), optionally for one period; for audit/debugging."""
        query = (
            "SELECT id, period_id, started_at, tool_version, mappings_hash, inputs FROM runs "
            "WHERE state = ?"
        )
        params: tuple[str, ...] = (PUBLISHED,)
        if period_id is not None:
            query += " AND period_id = ?"
            params = (PUBLISHED, period_id)
        names = ("id", "period_id", "started_at", "tool_version", "mappings_hash", "inputs")
        out: list[dict[str, object]] = []
        for row in self._conn.execute(query + " ORDER BY started_at, id", params):
            record = dict(zip(names, row, strict=True))
            record["started_at"] = _from_utc_text(record["started_at"])
            out.append(record)
        return out

    # -- lifetime

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --------------------------------------------------------------------------- wording


def _exact(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def change_phrase(
    current: float, previous: float | None, *, unit: str = "", decimals: int = 0
) -> str:
    """Vietnamese wording of ``current`` vs the previous period's value.

    ``(2759865, 2759628)`` -> ``"tăng 237 so với kỳ trước"``; ``(100, 120)`` ->
    ``"giảm 20 so với kỳ trước"``; equal, or a change that rounds to 0 at ``decimals``
    (half up) -> ``"không đổi so với kỳ trước"``; ``previous`` None -> ``"chưa có số liệu kỳ
    trước"``.  ``unit`` follows the number: ``"tăng 237 hồ sơ so với kỳ trước"``.  The
    difference is taken on the decimal forms of the two numbers (91.84 - 90.2 = 1.64 exactly).
    """
    if previous is None:
        return "chưa có số liệu kỳ trước"
    if not (math.isfinite(current) and math.isfinite(previous)):
        raise ValueError("change_phrase needs finite numbers")
    decimals = max(decimals, 0)
    delta = _exact(current) - _exact(previous)
    rounded = abs(delta).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "không đổi so với kỳ trước"
    verb = "tăng" if delta > 0 else "giảm"
    amount = format_vi(float(rounded), decimals)
    unit = unit.strip()
    return f"{verb} {amount}{' ' + unit if unit else ''} so với kỳ trước"


def open_history(spec: str | None, out: Path) -> HistoryStore:
    """``spec`` (a SQLite file path), else ``$XLSADDIN_HISTORY``, else
    ``xlsaddin-lich-su.sqlite`` beside the output ``out``. A database URL raises
    :class:`NotAHistoryPath`."""
    spec = spec or os.environ.get("XLSADDIN_HISTORY")
    return HistoryStore(spec if spec else out.parent / "xlsaddin-lich-su.sqlite")
