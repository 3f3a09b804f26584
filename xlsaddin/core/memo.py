"""Results kept between runs, by a key that names everything they were computed from.

A consolidation reads every returned file again each time it is run, while most files
have not changed since the last run (communes send theirs over days, and the office
consolidates many times). :class:`Memo` keeps what reading a file gave, under a key made
of the file's bytes and everything else the result depends on (see
``validate/run.py``), so a later run reads only what is new.

One SQLite file in the user's cache (the standard library's ``sqlite3``: one file,
atomic writes, safe when two runs share it). Values are pickled then compressed. Like
the mappings copies (``spec/cache.py``), the file is used only when the current user
owns it (POSIX), and anything wrong with it (damaged, locked, from other code, a full
disk) costs only time: the value is computed again. Never anything else: a value that
cannot be read back is a miss. The :data:`KEEP` most recently used values are kept.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from xlsaddin.core.places import cache_folder

#: Values kept, most recently used first: two per returned file (its outcome, about 1.3 KB,
#: and its digest under its stat, about 100 bytes), so 10,000 files (~15 MB).
KEEP = 20_000
#: A value larger than this once compressed is not kept (a huge foreign workbook: reading
#: it again costs less than carrying it in the store).
MAX_VALUE_BYTES = 4 * 1024 * 1024
#: Keys asked in one query (SQLite's oldest limit on parameters is 999).
_BATCH = 500
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS memo "
    "(key TEXT PRIMARY KEY, used REAL NOT NULL, value BLOB NOT NULL)"
)

PersistentId = Callable[[Any], Any]
PersistentLoad = Callable[[Any], Any]


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any, refer: PersistentId | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._refer = refer

    def persistent_id(self, obj: Any) -> Any:
        return self._refer(obj) if self._refer is not None else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, resolve: PersistentLoad | None) -> None:
        super().__init__(file)
        self._resolve = resolve

    def persistent_load(self, pid: Any) -> Any:
        if self._resolve is None:
            raise pickle.UnpicklingError("no persistent objects expected")
        return self._resolve(pid)


class Memo:
    """``name``.sqlite in the cache folder. Open it with :meth:`open` (None: not in use)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self._path = path
        self._damaged = False

    @classmethod
    def open(cls, name: str, folder: Path | None = None) -> Memo | None:
        """The store, or None when the cache is turned off or cannot be used now."""
        folder = folder if folder is not None else cache_folder("tep-da-doc")
        if folder is None:
            return None
        path = folder / f"{name}.sqlite"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # created private (the values hold what communes wrote), and only ever opened
            # when it is the user's own
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            if hasattr(os, "getuid") and os.stat(path).st_uid != os.getuid():
                return None
            db = _connect(path)
        except (OSError, sqlite3.Error):
            return None
        try:
            ready = _prepare(db)
        except sqlite3.OperationalError:  # locked or busy (another run): not used this time
            db.close()
            return None
        except sqlite3.DatabaseError:  # not a database, or a damaged one
            ready = False
        if not ready:
            db.close()
            return cls._started_again(path)
        return cls(db, path)

    @classmethod
    def _started_again(cls, path: Path) -> Memo | None:
        """A damaged file, or one this module did not write: replaced by an empty store."""
        try:
            path.unlink()
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
            db = _connect(path)
            if not _prepare(db):
                db.close()
                return None
        except (OSError, sqlite3.Error):
            return None
        return cls(db, path)

    def _failed(self, exc: sqlite3.Error) -> None:
        """A store that answers with damage (not a lock) is removed when closed: the next
        run starts an empty one instead of missing every time."""
        if not isinstance(exc, sqlite3.OperationalError):
            self._damaged = True

    def get_many(
        self, keys: Sequence[str], resolve: PersistentLoad | None = None
    ) -> dict[str, Any]:
        """The values kept under ``keys`` (absent keys, and values that do not load, are
        left out). ``resolve`` turns a reference made by ``put_many``'s ``refer`` back
        into its object."""
        found: dict[str, Any] = {}
        for start in range(0, len(keys), _BATCH):
            batch = list(keys[start : start + _BATCH])
            marks = ",".join("?" * len(batch))
            try:
                rows = self._db.execute(
                    f"SELECT key, value FROM memo WHERE key IN ({marks})", batch
                ).fetchall()
            except sqlite3.Error as exc:
                self._failed(exc)
                continue
            for key, blob in rows:
                with contextlib.suppress(Exception):  # other code's pickle: a miss
                    found[key] = _Unpickler(io.BytesIO(zlib.decompress(blob)), resolve).load()
            if rows:
                try:  # best effort: a full disk must not cost the values already found
                    self._db.execute(
                        f"UPDATE memo SET used = ? WHERE key IN ({marks})", [time.time(), *batch]
                    )
                except sqlite3.Error as exc:
                    self._failed(exc)
        return found

    def put_many(self, items: Iterable[tuple[str, Any]], refer: PersistentId | None = None) -> None:
        """Keep ``items``. ``refer``: an object -> a reference to store instead of it (or
        None to pickle it), for objects that the reader has already (the mappings)."""
        now = time.time()
        rows = []
        for key, value in items:
            buffer = io.BytesIO()
            try:
                _Pickler(buffer, refer).dump(value)
            except Exception:  # an unpicklable value is simply not kept
                continue
            blob = zlib.compress(buffer.getvalue(), 1)
            if len(blob) <= MAX_VALUE_BYTES:
                rows.append((key, now, blob))
        if not rows:
            return
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO memo VALUES (?, ?, ?)", rows)
            (count,) = self._db.execute("SELECT count(*) FROM memo").fetchone()
            if count > KEEP:
                self._db.execute(
                    "DELETE FROM memo WHERE key IN "
                    "(SELECT key FROM memo ORDER BY used ASC LIMIT ?)",
                    (count - KEEP,),
                )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._failed(exc)
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        if self._damaged:
            with contextlib.suppress(OSError):
                self._path.unlink()


def _connect(path: Path) -> sqlite3.Connection:
    """Autocommit (transactions are explicit); wait up to 2 s for another run's lock."""
    return sqlite3.connect(path, timeout=2.0, isolation_level=None)


def _prepare(db: sqlite3.Connection) -> bool:
    """Make the table when new; False when the file holds something else under its name."""
    db.execute("PRAGMA synchronous=OFF")  # a cache: a damaged file is started again
    db.execute(_SCHEMA)
    columns = [row[1] for row in db.execute("PRAGMA table_info(memo)")]
    return columns == ["key", "used", "value"]
