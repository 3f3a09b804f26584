"""A minimal writer for Compound File Binary files ([MS-CFB] version 3, 512-byte sectors).

Enough for a ``vbaProject.bin``: storages and streams given by path, streams
below the 4096-byte cutoff in the mini stream (64-byte mini sectors, mini
FAT), larger ones in regular sectors. Timestamps and CLSIDs are zero, so the
output is a pure function of the input. Up to 109 FAT sectors (about 6.8 MB)
are supported, which needs no DIFAT sectors.

File layout: header | FAT | directory | mini FAT | mini stream | big streams.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
_IDS_PER_SECTOR = SECTOR // 4  # FAT / mini FAT entries per sector
_DIR_ENTRY = 128
_MAX_HEADER_FAT = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _check_name(name: str) -> None:
    if not name or len(name) > 31:
        raise ValueError(f"CFB entry name must be 1-31 characters: {name!r}")
    if any(c in name for c in "/\\:!"):
        raise ValueError(f"CFB entry name may not contain / \\ : or !: {name!r}")


def _sort_key(name: str) -> tuple[int, str]:
    """[MS-CFB] 2.6.4: shorter names first, then by upper-cased UTF-16 code units."""
    upper = "".join(c.upper() if len(c.upper()) == 1 else c for c in name)
    return len(name.encode("utf-16-le")), upper


def _build_tree(root: _Entry, streams: Mapping[str, bytes]) -> None:
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            _check_name(part)
            existing = node.children.get(part.upper())
            if existing is None:
                existing = _Entry(part, _STORAGE)
                node.children[part.upper()] = existing
            elif existing.kind != _STORAGE:
                raise ValueError(f"{part!r} in {path!r} is a stream, not a storage")
            node = existing
        _check_name(parts[-1])
        if parts[-1].upper() in node.children:
            raise ValueError(f"duplicate CFB entry (names are case-insensitive): {path!r}")
        node.children[parts[-1].upper()] = _Entry(parts[-1], _STREAM, bytes(data))


def _flatten(root: _Entry) -> list[_Entry]:
    """Directory entries in order (root = 0); children of each storage form a red-black tree."""
    entries = [root]

    def visit(storage: _Entry) -> None:
        kids = sorted(storage.children.values(), key=lambda e: _sort_key(e.name))
        for kid in kids:
            kid.sid = len(entries)
            entries.append(kid)
        storage.child = _balanced(kids, 0, len(kids), 0, _last_level(len(kids)))
        for kid in kids:
            if kid.kind == _STORAGE:
                visit(kid)

    visit(root)
    return entries


def _last_level(n: int) -> int | None:
    """Depth of the incomplete bottom level of a median-split tree of n nodes (None if full)."""
    if n == 0:
        return None
    full_levels = (n + 1).bit_length() - 1  # levels that are completely filled
    return None if (1 << full_levels) - 1 == n else full_levels


def _balanced(kids: list[_Entry], lo: int, hi: int, depth: int, red_level: int | None) -> int:
    """Median-split BST over kids[lo:hi]; returns the subtree root's SID.

    Every level is full except possibly the deepest; colouring that level red
    and the rest black gives equal black heights, i.e. a valid red-black tree.
    """
    if lo >= hi:
        return NOSTREAM
    mid = (lo + hi) // 2
    node = kids[mid]
    node.color = _RED if depth == red_level else _BLACK
    node.left = _balanced(kids, lo, mid, depth + 1, red_level)
    node.right = _balanced(kids, mid + 1, hi, depth + 1, red_level)
    return node.sid


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i + 1 < count else ENDOFCHAIN


def _pad(data: bytes, unit: int) -> bytes:
    return data + bytes(-len(data) % unit)


def _dir_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.kind,
        entry.color,
        entry.left,
        entry.right,
        entry.child,
        bytes(16),  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modified time
        entry.start,
        entry.size,
    )


_EMPTY_DIR_ENTRY = struct.pack(
    "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, 0, 0, 0, 0
)


def build_cfb(streams: Mapping[str, bytes]) -> bytes:
    """Return a CFB v3 file holding ``streams``: ``{"Storage/Stream": data, "Stream": data}``.

    Storages are created from the paths; names are case-insensitively unique
    per storage and at most 31 characters.
    """
    root = _Entry("Root Entry", _ROOT)
    _build_tree(root, streams)
    entries = _flatten(root)

    # Mini stream: every stream below the cutoff, in 64-byte mini sectors.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    for entry in entries:
        if entry.kind != _STREAM:
            continue
        entry.size = len(entry.data)
        if 0 < entry.size < MINI_CUTOFF:
            entry.start = len(mini_fat)
            count = math.ceil(entry.size / MINI_SECTOR)
            mini_fat.extend([0] * count)
            _chain(mini_fat, entry.start, count)
            mini_stream += _pad(entry.data, MINI_SECTOR)
    big = [e for e in entries if e.kind == _STREAM and e.size >= MINI_CUTOFF]

    dir_sectors = math.ceil(len(entries) * _DIR_ENTRY / SECTOR)
    minifat_sectors = math.ceil(len(mini_fat) / _IDS_PER_SECTOR)
    ministream_sectors = math.ceil(len(mini_stream) / SECTOR)
    big_sectors = [math.ceil(e.size / SECTOR) for e in big]
    payload = dir_sectors + minifat_sectors + ministream_sectors + sum(big_sectors)
    fat_sectors = 1
    while fat_sectors * _IDS_PER_SECTOR < payload + fat_sectors:
        fat_sectors += 1
    if fat_sectors > _MAX_HEADER_FAT:
        raise ValueError("compound file too large for this writer (needs DIFAT sectors)")

    fat = [FREESECT] * (fat_sectors * _IDS_PER_SECTOR)
    for i in range(fat_sectors):
        fat[i] = FATSECT
    cursor = fat_sectors
    dir_start = cursor
    _chain(fat, cursor, dir_sectors)
    cursor += dir_sectors
    minifat_start = cursor if minifat_sectors else ENDOFCHAIN
    _chain(fat, cursor, minifat_sectors)
    cursor += minifat_sectors
    if ministream_sectors:
        root.start = cursor
        root.size = len(mini_stream)
    _chain(fat, cursor, ministream_sectors)
    cursor += ministream_sectors
    for entry, count in zip(big, big_sectors, strict=True):
        entry.start = cursor
        _chain(fat, cursor, count)
        cursor += count

    difat = list(range(fat_sectors)) + [FREESECT] * (_MAX_HEADER_FAT - fat_sectors)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII109I",
        _SIGNATURE,
        bytes(16),  # header CLSID
        0x003E,  # minor version
        0x0003,  # major version 3
        0xFFFE,  # byte order mark (little-endian)
        9,  # sector shift: 512
        6,  # mini sector shift: 64
        bytes(6),
        0,  # number of directory sectors: MUST be 0 in version 3
        fat_sectors,
        dir_start,
        0,  # transaction signature
        MINI_CUTOFF,
        minifat_start,
        minifat_sectors,
        ENDOFCHAIN,  # first DIFAT sector: none
        0,  # number of DIFAT sectors
        *difat,
    )
    assert len(header) == SECTOR

    directory = b"".join(_dir_entry(e) for e in entries)
    directory += _EMPTY_DIR_ENTRY * (dir_sectors * SECTOR // _DIR_ENTRY - len(entries))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += struct.pack("<I", FREESECT) * (-len(mini_fat) % _IDS_PER_SECTOR)

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += directory
    out += mini_fat_bytes
    out += _pad(bytes(mini_stream), SECTOR)
    for entry in big:
        out += _pad(entry.data, SECTOR)
    assert len(out) == SECTOR * (1 + cursor)
    return bytes(out)
