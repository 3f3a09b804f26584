"""Resource limits applied to untrusted incoming workbooks."""

from __future__ import annotations

from dataclasses import dataclass

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


@dataclass(frozen=True)
class Limits:
    """Caps checked by :func:`~xlsaddin.intake.inspect_file` and the worker pool.

    Every value can be overridden per call, e.g. ``Limits(worker_timeout_s=5)``.
    """

    max_file_bytes: int = 25 * MiB
    """Size of the file on disk."""
    max_zip_entries: int = 2000
    """Number of parts in the zip central directory."""
    max_uncompressed_bytes: int = 200 * MiB
    """Sum of the sizes the central directory declares for all parts."""
    max_entry_ratio: float = 200.0
    """Uncompressed/compressed size of one part (only for parts above ``ratio_min_bytes``)."""
    ratio_min_bytes: int = 1 * MiB
    """Parts at most this large (uncompressed) are exempt from the ratio check."""
    max_xml_part_bytes: int = 100 * MiB
    """Bytes read from one XML part before giving up on it."""
    max_sheet_cells: int = 5_000_000
    """rows x columns of a sheet's declared ``<dimension ref=...>``."""
    worker_memory_bytes: int = 448 * MiB
    """Memory a worker may take on top of what it inherits (Linux: RLIMIT_AS set to the
    address space at start plus this; 0 = no limit). A worker's resident memory thus
    stays under about 512 MB whatever the file: what it inherits resident from the
    parent is some 45-85 MB, most of it shared."""
    worker_timeout_s: float = 10.0
    """Wall-clock time allowed for one item in a worker."""


DEFAULT_LIMITS = Limits()
"""The defaults above (immutable, safe as a default argument)."""

#: The value of an issue whose verdict was reached because memory ran out: it depends on
#: the moment, not on the file, and is never kept for a later run (``validate/reuse.py``).
MEMORY_ERROR = "MemoryError"
