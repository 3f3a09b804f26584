"""History of consolidation runs, so a period can be compared with the one before it.

Each ``xlsaddin consolidate`` run stores its headline figures (province-level and per-unit)
here; the next period's report can then say "tăng 237 so với kỳ trước".

Storage is SQLAlchemy Core.  The default is an embedded SQLite file
(:meth:`HistoryStore.at_path`); any SQLAlchemy URL (e.g. PostgreSQL) also works.

Schema (version :data:`SCHEMA_VERSION`):

``runs``
    ``id`` (integer primary key, autoincrement), ``period_id`` (text, indexed, e.g.
    ``"2025-q4"``), ``started_at`` (text: UTC ISO 8601 with a fixed layout
    ``YYYY-MM-DDTHH:MM:SS.ffffff+00:00``, so text order is time order on every backend and
    SQLite round-trips the time zone), ``tool_version``, ``mappings_hash`` (text),
    ``inputs`` (integer: number of input files).
``figures``
    ``run_id`` (foreign key -> ``runs.id``, indexed, ON DELETE CASCADE), ``appendix``,
    ``key`` (text), ``unit_code`` (integer, NULL = province-level figure), ``value`` (float).
``schema_version``
    one row, column ``version`` (integer).  Written when the tables are first created.  A
    store opened on a database whose version is newer than this code refuses to work
    (:class:`SchemaVersionError`); a migration reads the row, upgrades the tables
    and updates it.  Version 1 is the layout above.
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
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Connection, Dialect, Engine

from xlsaddin.text.numbers import format_vi

__all__ = [
    "SCHEMA_VERSION",
    "Figure",
    "FigureKey",
    "HistoryStore",
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


class _UtcText(sa.types.TypeDecorator[datetime.datetime]):
    """Timezone-aware datetime stored as fixed-layout UTC ISO text (sortable as text)."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime.datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("started_at must be timezone-aware")
        return value.astimezone(datetime.UTC).strftime(_ISO_LAYOUT)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime.datetime | None:
        if value is None:
            return None
        parsed = datetime.datetime.fromisoformat(str(value))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.UTC)
        return parsed.astimezone(datetime.UTC)


_metadata = sa.MetaData()

_runs = sa.Table(
    "runs",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("period_id", sa.String(64), nullable=False, index=True),
    sa.Column("started_at", _UtcText(), nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("mappings_hash", sa.String(128), nullable=False),
    sa.Column("inputs", sa.Integer, nullable=False),
    sa.Column("run_id", sa.String(64), nullable=True),
    sa.Column("state", sa.String(16), nullable=False, server_default=PUBLISHED),
    sa.Index("ix_runs_run_id", "run_id", unique=True),
)

_figures = sa.Table(
    "figures",
    _metadata,
    sa.Column(
        "run_id",
        sa.Integer,
        sa.ForeignKey("runs.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("appendix", sa.String(128), nullable=False),
    sa.Column("key", sa.String(128), nullable=False),
    sa.Column("unit_code", sa.Integer, nullable=True),
    sa.Column("value", sa.Float, nullable=False),
)

_schema_version = sa.Table(
    "schema_version",
    _metadata,
    sa.Column("version", sa.Integer, nullable=False),
)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _insert_figures(conn: Connection, run_id: int, figures: Sequence[Figure]) -> None:
    """Insert the figures of one run (inside the caller's transaction)."""
    if not figures:
        return
    conn.execute(
        _figures.insert(),
        [
            {
                "run_id": run_id,
                "appendix": f.appendix,
                "key": f.key,
                "unit_code": f.unit_code,
                "value": float(f.value),
            }
            for f in figures
        ],
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


def _upgrade_to_2(conn: Connection) -> None:
    """Schema 1 -> 2: run id and state columns (existing runs are published)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("runs")}
    if "run_id" not in columns:
        conn.execute(sa.text("ALTER TABLE runs ADD COLUMN run_id VARCHAR(64)"))
    if "state" not in columns:
        conn.execute(
            sa.text(f"ALTER TABLE runs ADD COLUMN state VARCHAR(16) NOT NULL DEFAULT '{PUBLISHED}'")
        )
    conn.execute(sa.text("CREATE UNIQUE INDEX IF NOT EXISTS ix_runs_run_id ON runs (run_id)"))
    conn.execute(_schema_version.update().values(version=2))


# --------------------------------------------------------------------------- store


class HistoryStore:
    """Runs and their figures in a SQL database (SQLite file by default)."""

    def __init__(self, url: str | URL) -> None:
        parsed = sa.make_url(url)
        is_sqlite = parsed.get_backend_name() == "sqlite"
        if is_sqlite:
            database = parsed.database
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
        self._engine: Engine = sa.create_engine(parsed)
        if is_sqlite:
            sa.event.listen(self._engine, "connect", _enable_sqlite_foreign_keys)
        try:
            self._init_schema()
        except BaseException:
            self._engine.dispose()
            raise

    @classmethod
    def at_path(cls, path: Path) -> HistoryStore:
        """Store in the SQLite file ``path`` (its folder is created if missing)."""
        return cls(URL.create("sqlite", database=str(Path(path))))

    def _init_schema(self) -> None:
        with self._engine.begin() as conn:
            fresh = not sa.inspect(conn).has_table("runs")
            if fresh:
                _metadata.create_all(conn)
            version = conn.execute(sa.select(sa.func.max(_schema_version.c.version))).scalar()
            if version is None:
                _metadata.create_all(conn)
                conn.execute(_schema_version.insert().values(version=SCHEMA_VERSION))
            elif int(version) > SCHEMA_VERSION:
                raise SchemaVersionError(
                    f"history database schema version {version} is newer than supported "
                    f"version {SCHEMA_VERSION}; upgrade xlsaddin"
                )
            elif int(version) < 2:
                _upgrade_to_2(conn)

    @property
    def url(self) -> str:
        """Where the store is (any password hidden): how a journal names it."""
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def schema_version(self) -> int:
        with self._engine.connect() as conn:
            version = conn.execute(sa.select(sa.func.max(_schema_version.c.version))).scalar()
        return int(version) if version is not None else 0

    # -- writing

    def record(self, run: RunRecord, *, pending: bool = False) -> int:
        """Store ``run`` and its figures in one transaction; return the new row id.

        ``pending``: invisible to readers until :meth:`mark_published` (needs a run_id).
        """
        _validate(run)
        if pending and not run.run_id:
            raise ValueError("a pending run needs a run_id")
        with self._engine.begin() as conn:
            result = conn.execute(
                _runs.insert().values(
                    period_id=run.period_id,
                    started_at=run.started_at,
                    tool_version=run.tool_version,
                    mappings_hash=run.mappings_hash,
                    inputs=run.inputs,
                    run_id=run.run_id,
                    state=PENDING if pending else PUBLISHED,
                )
            )
            pk = result.inserted_primary_key
            if pk is None or pk[0] is None:  # pragma: no cover - every supported backend
                raise RuntimeError("database did not return the new run id")
            run_id = int(pk[0])
            _insert_figures(conn, run_id, run.figures)
        return run_id

    def mark_published(self, run: RunRecord) -> None:
        """Make the pending run ``run.run_id`` visible; store it published if it is not
        there at all (a journal rolled forward against a store that lost it). Idempotent."""
        if not run.run_id:
            raise ValueError("mark_published needs a run_id")
        with self._engine.begin() as conn:
            found = conn.execute(sa.select(_runs.c.id).where(_runs.c.run_id == run.run_id)).first()
            if found is not None:
                conn.execute(
                    _runs.update().where(_runs.c.run_id == run.run_id).values(state=PUBLISHED)
                )
                return
        self.record(run)

    def discard_run(self, run_id: str) -> None:
        """Delete the pending run ``run_id`` (its files were never published)."""
        with self._engine.begin() as conn:
            conn.execute(
                _runs.delete().where((_runs.c.run_id == run_id) & (_runs.c.state == PENDING))
            )

    def discard_pending(self, older_than: datetime.datetime) -> int:
        """Delete pending runs started before ``older_than`` (runs that died before their
        files were published); the number deleted."""
        with self._engine.begin() as conn:
            result = conn.execute(
                _runs.delete().where((_runs.c.state == PENDING) & (_runs.c.started_at < older_than))
            )
            return int(result.rowcount or 0)

    # -- reading

    def _latest_run_id(self, conn: Connection, period_id: str) -> int | None:
        row = conn.execute(
            sa.select(_runs.c.id)
            .where(_runs.c.period_id == period_id)
            .where(_runs.c.state == PUBLISHED)
            .order_by(_runs.c.started_at.desc(), _runs.c.id.desc())
            .limit(1)
        ).first()
        return None if row is None else int(row[0])

    @staticmethod
    def _figures_of(conn: Connection, run_id: int) -> dict[FigureKey, float]:
        rows = conn.execute(
            sa.select(
                _figures.c.appendix, _figures.c.key, _figures.c.unit_code, _figures.c.value
            ).where(_figures.c.run_id == run_id)
        )
        return {(str(a), str(k), None if u is None else int(u)): float(v) for a, k, u, v in rows}

    def latest(self, period_id: str) -> dict[FigureKey, float] | None:
        """Figures of the most recent run of ``period_id`` (by started_at, then id).

        None when the period has no run; ``{}`` when its latest run stored no figures.
        """
        with self._engine.connect() as conn:
            run_id = self._latest_run_id(conn, period_id)
            if run_id is None:
                return None
            return self._figures_of(conn, run_id)

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
        earlier = periods[:index]
        if not earlier:
            return None
        with self._engine.connect() as conn:
            present = set(
                conn.execute(
                    sa.select(_runs.c.period_id)
                    .where(_runs.c.period_id.in_(set(earlier)))
                    .where(_runs.c.state == PUBLISHED)
                    .distinct()
                ).scalars()
            )
            for candidate in reversed(earlier):
                if candidate in present:
                    run_id = self._latest_run_id(conn, candidate)
                    if run_id is not None:
                        return candidate, self._figures_of(conn, run_id)
        return None

    def runs(self, period_id: str | None = None) -> list[dict[str, object]]:
        """Run metadata (oldest first), optionally for one period; for audit/debugging."""
        query = sa.select(
            _runs.c.id,
            _runs.c.period_id,
            _runs.c.started_at,
            _runs.c.tool_version,
            _runs.c.mappings_hash,
            _runs.c.inputs,
        ).order_by(_runs.c.started_at, _runs.c.id)
        query = query.where(_runs.c.state == PUBLISHED)
        if period_id is not None:
            query = query.where(_runs.c.period_id == period_id)
        with self._engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # -- lifetime

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

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
    """``spec`` (a SQLAlchemy URL or a file path), else ``$XLSADDIN_HISTORY``, else
    ``xlsaddin-lich-su.sqlite`` beside the output ``out``."""
    spec = spec or os.environ.get("XLSADDIN_HISTORY")
    if spec and "://" in spec:
        return HistoryStore(spec)
    return HistoryStore.at_path(Path(spec) if spec else out.parent / "xlsaddin-lich-su.sqlite")
