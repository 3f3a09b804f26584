"""History store of consolidation runs and the "so với kỳ trước" wording."""

from __future__ import annotations

import datetime
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from xlsaddin.consolidate import history
from xlsaddin.consolidate.history import (
    SCHEMA_VERSION,
    Figure,
    HistoryStore,
    NotAHistoryPath,
    RunRecord,
    SchemaVersionError,
    change_phrase,
)

UTC = datetime.UTC
PERIODS = ["2025-q1", "2025-q2", "2025-q3", "2025-q4", "2026-q1"]


def _at(hour: int, minute: int = 0, day: int = 1) -> datetime.datetime:
    return datetime.datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def _run(
    period: str,
    started: datetime.datetime,
    figures: tuple[Figure, ...] = (),
    *,
    version: str = "0.1.0",
    inputs: int = 96,
) -> RunRecord:
    return RunRecord(
        period_id=period,
        started_at=started,
        tool_version=version,
        mappings_hash="abc123",
        inputs=inputs,
        figures=figures,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    s = HistoryStore.at_path(tmp_path / "nested" / "dir" / "history.sqlite")
    yield s
    s.close()


# --------------------------------------------------------------------------- store


def test_record_and_latest_round_trip(store: HistoryStore) -> None:
    figures = (
        Figure("ket_qua_tthc", "received_total", 2759865),
        Figure("ket_qua_tthc", "received_total", 1234, unit_code=20548),
        Figure("ket_qua_tthc", "received_total", 0.5, unit_code=21025),
        Figure("ket_qua_tthc", "on_time_rate", 91.84),
        Figure("dich_vu_cong", "online_total", -3.25, unit_code=20548),
    )
    run_id = store.record(_run("2025-q4", _at(8), figures))
    assert isinstance(run_id, int)
    assert store.latest("2025-q4") == {
        ("ket_qua_tthc", "received_total", None): 2759865.0,
        ("ket_qua_tthc", "received_total", 20548): 1234.0,
        ("ket_qua_tthc", "received_total", 21025): 0.5,
        ("ket_qua_tthc", "on_time_rate", None): 91.84,
        ("dich_vu_cong", "online_total", 20548): -3.25,
    }
    assert store.latest("2025-q3") is None


def test_run_without_figures_is_empty_not_none(store: HistoryStore) -> None:
    store.record(_run("2025-q4", _at(8)))
    assert store.latest("2025-q4") == {}


def test_latest_run_of_a_period_wins(store: HistoryStore) -> None:
    store.record(_run("2025-q4", _at(8), (Figure("a", "k", 1.0), Figure("a", "old", 9.0))))
    store.record(_run("2025-q4", _at(9), (Figure("a", "k", 2.0),)))
    # recorded later but started earlier: does not win
    store.record(_run("2025-q4", _at(7), (Figure("a", "k", 3.0),)))
    assert store.latest("2025-q4") == {("a", "k", None): 2.0}


def test_same_start_time_highest_id_wins(store: HistoryStore) -> None:
    store.record(_run("2025-q4", _at(8), (Figure("a", "k", 1.0),)))
    store.record(_run("2025-q4", _at(8), (Figure("a", "k", 2.0),)))
    assert store.latest("2025-q4") == {("a", "k", None): 2.0}


def test_started_at_ordering_uses_utc_instant(store: HistoryStore) -> None:
    ict = datetime.timezone(datetime.timedelta(hours=7))
    # 10:00 ICT = 03:00 UTC: earlier than 05:00 UTC although "10" > "05"
    store.record(
        _run("2025-q4", datetime.datetime(2026, 1, 1, 10, tzinfo=ict), (Figure("a", "k", 1),))
    )
    store.record(_run("2025-q4", _at(5), (Figure("a", "k", 2),)))
    assert store.latest("2025-q4") == {("a", "k", None): 2.0}


def test_previous_skips_periods_without_runs_and_ignores_later(store: HistoryStore) -> None:
    store.record(_run("2025-q1", _at(1), (Figure("a", "k", 10),)))
    store.record(_run("2025-q4", _at(2), (Figure("a", "k", 40),)))
    store.record(_run("2026-q1", _at(3), (Figure("a", "k", 50),)))
    # 2025-q3 and 2025-q2 have no run -> 2025-q1; 2025-q4 / 2026-q1 are later
    assert store.previous("2025-q3", PERIODS) == ("2025-q1", {("a", "k", None): 10.0})
    assert store.previous("2026-q1", PERIODS) == ("2025-q4", {("a", "k", None): 40.0})
    assert store.previous("2025-q1", PERIODS) is None
    assert store.previous("2025-q2", PERIODS) == ("2025-q1", {("a", "k", None): 10.0})


def test_previous_uses_latest_run_of_the_earlier_period(store: HistoryStore) -> None:
    store.record(_run("2025-q3", _at(1), (Figure("a", "k", 1),)))
    store.record(_run("2025-q3", _at(2), (Figure("a", "k", 2),)))
    assert store.previous("2025-q4", PERIODS) == ("2025-q3", {("a", "k", None): 2.0})


def test_previous_none_when_store_empty(store: HistoryStore) -> None:
    assert store.previous("2025-q4", PERIODS) is None


def test_previous_rejects_unknown_period(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="not in ordered_periods"):
        store.previous("2024-q4", PERIODS)


def test_runs_listing(store: HistoryStore) -> None:
    first = store.record(_run("2025-q3", _at(9), (Figure("a", "k", 1),), inputs=95))
    second = store.record(_run("2025-q4", _at(8), version="0.2.0"))
    third = store.record(_run("2025-q4", _at(10)))
    listing = store.runs()
    assert [r["id"] for r in listing] == [second, first, third]  # by started_at
    assert listing[1] == {
        "id": first,
        "period_id": "2025-q3",
        "started_at": _at(9),
        "tool_version": "0.1.0",
        "mappings_hash": "abc123",
        "inputs": 95,
    }
    started = listing[0]["started_at"]
    assert isinstance(started, datetime.datetime)
    assert started.utcoffset() == datetime.timedelta(0)
    assert listing[0]["tool_version"] == "0.2.0"
    assert [r["id"] for r in store.runs("2025-q4")] == [second, third]
    assert store.runs("2099-q1") == []


def test_started_at_round_trips_microseconds_and_offsets(store: HistoryStore) -> None:
    ict = datetime.timezone(datetime.timedelta(hours=7))
    moment = datetime.datetime(2026, 1, 5, 14, 30, 15, 123456, tzinfo=ict)
    store.record(_run("2025-q4", moment))
    (row,) = store.runs()
    assert row["started_at"] == moment
    assert row["started_at"] == datetime.datetime(2026, 1, 5, 7, 30, 15, 123456, tzinfo=UTC)


def test_naive_started_at_rejected(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        store.record(_run("2025-q4", datetime.datetime(2026, 1, 1, 8)))
    assert store.runs() == []


def test_invalid_figures_rejected_before_writing(store: HistoryStore) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        store.record(_run("2025-q4", _at(8), (Figure("a", "k", 1), Figure("a", "k", 2))))
    with pytest.raises(ValueError, match="finite"):
        store.record(_run("2025-q4", _at(8), (Figure("a", "k", float("nan")),)))
    assert store.runs() == []
    # same key at province level and for a unit is not a duplicate
    store.record(_run("2025-q4", _at(8), (Figure("a", "k", 1), Figure("a", "k", 2, unit_code=1))))
    assert store.latest("2025-q4") == {("a", "k", None): 1.0, ("a", "k", 1): 2.0}


def test_record_is_atomic(store: HistoryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.record(_run("2025-q3", _at(1), (Figure("a", "k", 1),)))
    real_insert = history._insert_figures

    def failing(conn: sqlite3.Connection, run_id: int, figures: object) -> None:
        # the run row is already inserted; write some figures, then fail midway
        real_insert(conn, run_id, (Figure("a", "partial", 1),))
        assert conn.execute("SELECT count(*) FROM runs").fetchone() == (2,)
        raise RuntimeError("disk full")

    monkeypatch.setattr(history, "_insert_figures", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        store.record(_run("2025-q4", _at(2), (Figure("a", "k", 2),)))
    monkeypatch.undo()

    assert [r["period_id"] for r in store.runs()] == ["2025-q3"]
    assert store.latest("2025-q4") is None
    with sqlite3.connect(store_path(store)) as raw:
        assert raw.execute("SELECT count(*) FROM figures").fetchone() == (1,)
    # the store still works afterwards
    store.record(_run("2025-q4", _at(3), (Figure("a", "k", 3),)))
    assert store.latest("2025-q4") == {("a", "k", None): 3.0}


def store_path(store: HistoryStore) -> str:
    return store.path


def test_reopening_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    with HistoryStore.at_path(path) as first:
        run_id = first.record(_run("2025-q3", _at(8), (Figure("a", "k", 7, unit_code=3),)))
    with HistoryStore(str(path)) as again:
        assert again.latest("2025-q3") == {("a", "k", 3): 7.0}
        assert [r["id"] for r in again.runs()] == [run_id]
        assert again.previous("2025-q4", PERIODS) == ("2025-q3", {("a", "k", 3): 7.0})
        new_id = again.record(_run("2025-q4", _at(9)))
        assert new_id > run_id


def test_creates_parent_folder_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "history.sqlite"
    with HistoryStore(path) as s:
        assert s.schema_version == SCHEMA_VERSION
    assert path.is_file()
    with sqlite3.connect(path) as raw:
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        versions = raw.execute("SELECT version FROM schema_version").fetchall()
    assert {"runs", "figures", "schema_version"} <= tables
    assert any("run_id" in name for name in indexes)
    assert versions == [(SCHEMA_VERSION,)]
    # reopening does not add a second version row
    HistoryStore.at_path(path).close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM schema_version").fetchone() == (1,)


def test_newer_schema_version_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    HistoryStore.at_path(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaVersionError):
        HistoryStore.at_path(path)


def test_foreign_keys_enforced(store: HistoryStore) -> None:
    with pytest.raises(sqlite3.IntegrityError), store._transaction() as conn:
        history._insert_figures(conn, 999, (Figure("a", "k", 1),))


def test_deleting_a_run_cascades_to_its_figures(store: HistoryStore) -> None:
    run_id = store.record(_run("2025-q4", _at(8), (Figure("a", "k", 1), Figure("a", "j", 2))))
    with store._transaction() as conn:
        conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
    with sqlite3.connect(store_path(store)) as raw:
        assert raw.execute("SELECT count(*) FROM figures").fetchone() == (0,)


def test_in_memory_store_works() -> None:
    with HistoryStore(":memory:") as s:
        s.record(_run("2025-q4", _at(8), (Figure("a", "k", 1),)))
        assert s.latest("2025-q4") == {("a", "k", None): 1.0}


@pytest.mark.parametrize("url", ["postgresql://tinh@db/lichsu", "sqlite:///lich-su.sqlite"])
def test_database_urls_are_refused_with_a_clear_message(tmp_path: Path, url: str) -> None:
    with pytest.raises(NotAHistoryPath, match="đường dẫn tệp SQLite"):
        history.open_history(url, tmp_path / "TongHop.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_default_and_environment_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLSADDIN_HISTORY", raising=False)
    with history.open_history(None, tmp_path / "out" / "TongHop.xlsx") as s:
        assert Path(s.path) == tmp_path / "out" / "xlsaddin-lich-su.sqlite"
    monkeypatch.setenv("XLSADDIN_HISTORY", str(tmp_path / "env.sqlite"))
    with history.open_history(None, tmp_path / "TongHop.xlsx") as s:
        assert Path(s.path) == tmp_path / "env.sqlite"


def test_reads_a_database_written_by_the_sqlalchemy_store(tmp_path: Path) -> None:
    """Version 1 as SQLAlchemy created it (DDL copied from such a file) opens, is upgraded to
    the current version, and its runs stay readable (published, without a run id)."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as raw:
        raw.executescript(
            """
            CREATE TABLE runs (id INTEGER NOT NULL, period_id VARCHAR(64) NOT NULL,
                started_at VARCHAR(32) NOT NULL, tool_version VARCHAR(64) NOT NULL,
                mappings_hash VARCHAR(128) NOT NULL, inputs INTEGER NOT NULL, PRIMARY KEY (id));
            CREATE INDEX ix_runs_period_id ON runs (period_id);
            CREATE TABLE schema_version (version INTEGER NOT NULL);
            CREATE TABLE figures (run_id INTEGER NOT NULL, appendix VARCHAR(128) NOT NULL,
                "key" VARCHAR(128) NOT NULL, unit_code INTEGER, value FLOAT NOT NULL,
                FOREIGN KEY(run_id) REFERENCES runs (id) ON DELETE CASCADE);
            CREATE INDEX ix_figures_run_id ON figures (run_id);
            INSERT INTO schema_version VALUES (1);
            INSERT INTO runs VALUES (1, '2025-q3', '2026-01-01T08:00:00.000000+00:00', '0.1.0',
                'abc', 96);
            INSERT INTO figures VALUES (1, 'a', 'k', NULL, 7.0);
            """
        )
    raw.close()
    with HistoryStore.at_path(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 2
        assert s.previous("2025-q4", PERIODS) == ("2025-q3", {("a", "k", None): 7.0})
        assert s.runs()[0]["started_at"] == _at(8)


# --------------------------------------------------------------------------- wording


@pytest.mark.parametrize(
    ("current", "previous", "kwargs", "expected"),
    [
        (2759865, 2759628, {}, "tăng 237 so với kỳ trước"),
        (100, 120, {}, "giảm 20 so với kỳ trước"),
        (5, 5, {}, "không đổi so với kỳ trước"),
        (5, None, {}, "chưa có số liệu kỳ trước"),
        (5, None, {"unit": "hồ sơ"}, "chưa có số liệu kỳ trước"),
        (2759865, 2759628, {"unit": "hồ sơ"}, "tăng 237 hồ sơ so với kỳ trước"),
        (91.84, 90.2, {"decimals": 1}, "tăng 1,6 so với kỳ trước"),
        (90.2, 91.84, {"decimals": 1, "unit": "điểm %"}, "giảm 1,6 điểm % so với kỳ trước"),
        (1_500_000, 250_000, {}, "tăng 1.250.000 so với kỳ trước"),
        (0, 1_234_567, {"unit": "hồ sơ"}, "giảm 1.234.567 hồ sơ so với kỳ trước"),
        (10.4, 10, {}, "không đổi so với kỳ trước"),  # rounds to 0
        (10.5, 10, {}, "tăng 1 so với kỳ trước"),  # half up
        (10, 10.5, {}, "giảm 1 so với kỳ trước"),  # half up in magnitude
        (0.35, 0.2, {"decimals": 1}, "tăng 0,2 so với kỳ trước"),  # 0.15 exactly, half up
        (2.25, 0, {"decimals": 1}, "tăng 2,3 so với kỳ trước"),
        (91.84, 91.8, {"decimals": 1}, "không đổi so với kỳ trước"),  # 0.04 -> 0,0
        (91.84, 91.8, {"decimals": 2}, "tăng 0,04 so với kỳ trước"),
        (
            1234.5,
            0,
            {"decimals": 1, "unit": "triệu đồng"},
            "tăng 1.234,5 triệu đồng so với kỳ trước",
        ),
        (-5, 3, {}, "giảm 8 so với kỳ trước"),
        (7, 7.0, {"decimals": 2}, "không đổi so với kỳ trước"),
        (100, 99, {"unit": "  hồ sơ "}, "tăng 1 hồ sơ so với kỳ trước"),
    ],
)
def test_change_phrase_golden(
    current: float, previous: float | None, kwargs: dict[str, object], expected: str
) -> None:
    assert change_phrase(current, previous, **kwargs) == expected  # type: ignore[arg-type]


def test_change_phrase_rejects_non_finite() -> None:
    with pytest.raises(ValueError, match="finite"):
        change_phrase(float("inf"), 1)
