"""A validated copy of a mappings folder, so that a command does not read, parse and
validate the YAML again: with the models' validators built only when needed, that is
about 50 ms of the 0.3 s that ``xlsaddin validate ONE.xlsx`` takes (docs/performance.md).

The loader records what it looked at (:class:`Recorder`): the bytes of every file it read,
the files it looked for and did not find, the names in every folder it listed. The copy
(a pickle of those :class:`Sources` and the loaded ``Mappings``) is used only while all of
them are as they were, whatever the path: a folder reached through a link, a catalogue
outside the folder (``catalogue: ../x.yaml``), an appendix file added or removed. One copy
per folder (by its real path) and per version of xlsaddin's code (its modules' size and
modification time: an edited checkout never reads a copy made by other code), the 16
newest kept. A copy that is missing, unreadable, not the user's own, or not what this
module wrote is ignored and the folder loaded as usual. Only a folder that loaded without
a problem is stored.

Why pickle: unpickling restores the frozen pydantic models as they were validated,
without validating again and without building their validators (``defer_build``), which
is where the time goes. It is read only from the user's own cache folder and (POSIX)
only when the user owns the file: whoever can write there can already run code as that
user. ``XLSADDIN_CACHE`` names another folder, or ``0`` turns the cache off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from xlsaddin.core.places import cache_folder
from xlsaddin.core.versions import code_fingerprint
from xlsaddin.spec.models import Mappings

#: Copies kept (of as many folders), newest first.
KEEP = 16
_FORMAT = 4
T = TypeVar("T")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Sources:
    """What a load looked at: file -> digest of its bytes (None: looked for, not there),
    (folder, pattern) -> the names it found."""

    files: tuple[tuple[str, str | None], ...]
    listings: tuple[tuple[str, str, tuple[str, ...]], ...]

    def unchanged(self) -> bool:
        try:
            for name, digest in self.files:
                path = Path(name)
                if digest is None:
                    if path.is_file():
                        return False
                elif not path.is_file() or _digest(path.read_bytes()) != digest:
                    return False
            return all(
                _names(Path(folder), pattern) == names for folder, pattern, names in self.listings
            )
        except OSError:
            return False

    def digest(self) -> str:
        """One digest of everything the load looked at: what the mappings are made of."""
        return _digest(repr((self.files, self.listings)).encode())


def _names(folder: Path, pattern: str) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in folder.glob(pattern)))


@dataclass
class Recorder:
    """Kept by the loader while it loads: every file it reads, looks for, or lists."""

    files: dict[str, str | None] = field(default_factory=dict)
    listings: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def read(self, path: Path, data: bytes) -> None:
        self.files[str(path.absolute())] = _digest(data)

    def missing(self, path: Path) -> None:
        self.files.setdefault(str(path.absolute()), None)

    def listed(self, folder: Path, pattern: str, found: list[Path]) -> None:
        names = tuple(sorted(p.name for p in found))
        self.listings[(str(folder.absolute()), pattern)] = names

    def sources(self) -> Sources:
        return Sources(
            tuple(sorted(self.files.items())),
            tuple(
                sorted(
                    (folder, pattern, names) for (folder, pattern), names in self.listings.items()
                )
            ),
        )


def _read(path: Path, kind: type[T]) -> tuple[Sources, T] | None:
    try:
        with open(path, "rb") as fh:
            if hasattr(os, "getuid") and os.fstat(fh.fileno()).st_uid != os.getuid():
                return None
            value = pickle.load(fh)
    except Exception:  # missing, unreadable, truncated, from other code: load as usual
        return None
    if (
        isinstance(value, tuple)
        and len(value) == 2
        and isinstance(value[0], Sources)
        and isinstance(value[1], kind)
    ):
        return value
    return None


def _write(folder: Path, path: Path, value: tuple[Sources, object], name: str) -> None:
    """Store ``value`` atomically; keep the :data:`KEEP` newest copies of this ``name``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        copies = sorted(folder.glob(f"{name}-*.pickle"), key=_mtime, reverse=True)
        for older in copies[KEEP:]:
            with contextlib.suppress(OSError):
                older.unlink()
    except Exception:  # a read-only or full cache folder only costs the next load its time
        pass


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def cached(root: Path, load: Callable[[Recorder], T], kind: type[T], name: str = "mappings") -> T:
    """``load(recorder)``, or the copy stored when ``root`` last loaded it, if nothing it
    looked at has changed since. ``kind``: the type of the value (a stored copy of another
    type is not used); ``name``: what is stored (copies ``name-KEY.pickle``)."""
    folder = cache_folder("cau-hinh")
    if folder is None:
        return load(Recorder())
    key = _digest(f"{_FORMAT}\0{name}\0{code_fingerprint()}\0{root.resolve()}".encode())[:32]
    path = folder / f"{name}-{key}.pickle"
    hit = _read(path, kind)
    if hit is not None and hit[0].unchanged():
        value = hit[1]
        if isinstance(value, Mappings) and value.root != str(root):  # the same folder,
            value = value.model_copy(update={"root": str(root)})  # named another way
        return value
    recorder = Recorder()
    value = load(recorder)
    _write(folder, path, (recorder.sources(), value), name)
    return value
