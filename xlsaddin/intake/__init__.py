"""Intake of untrusted incoming workbooks: find them, identify them by content,
refuse the dangerous or broken ones as Issues, and parse the rest in
resource-limited worker processes.

>>> from xlsaddin.intake import discover, inspect_file
>>> results = [inspect_file(p) for p in discover([Path("inbox")])]
>>> readable = [r.path for r in results if r.readable]

Finding files, the limits and the messages are imported with the package; the
inspection and worker machinery on first use (PEP 562), so a run that reads no file
(every outcome kept by an earlier run, ``validate/reuse.py``) never imports it.
"""

from typing import TYPE_CHECKING

from xlsaddin.core.lazy import lazy_exports
from xlsaddin.intake.discover import (
    MANIFEST_NAME,
    Discovery,
    Hazard,
    discover,
    explore,
    is_skipped,
)
from xlsaddin.intake.limits import DEFAULT_LIMITS, MEMORY_ERROR, Limits
from xlsaddin.intake.messages import MESSAGES

if TYPE_CHECKING:
    from xlsaddin.intake.guard import SheetGuard
    from xlsaddin.intake.inspect import IntakeResult, Kind, dimension_cells, inspect_file
    from xlsaddin.intake.sniff import Container, Sniffed
    from xlsaddin.intake.worker import WorkerFailure, isolated_map

__all__ = [
    "DEFAULT_LIMITS",
    "MANIFEST_NAME",
    "MEMORY_ERROR",
    "MESSAGES",
    "Container",
    "Discovery",
    "Hazard",
    "IntakeResult",
    "Kind",
    "Limits",
    "SheetGuard",
    "Sniffed",
    "WorkerFailure",
    "dimension_cells",
    "discover",
    "explore",
    "inspect_file",
    "is_skipped",
    "isolated_map",
]

# Imported on first use. (``sniff`` the function is not among them: once its module is
# imported the package's name ``sniff`` is that module; import it from
# ``xlsaddin.intake.sniff``.)
_LAZY = {
    "SheetGuard": "guard",
    "IntakeResult": "inspect",
    "Kind": "inspect",
    "dimension_cells": "inspect",
    "inspect_file": "inspect",
    "Container": "sniff",
    "Sniffed": "sniff",
    "WorkerFailure": "worker",
    "isolated_map": "worker",
}


__getattr__ = lazy_exports(__name__, _LAZY, globals())
