"""Intake of untrusted incoming workbooks: find them, identify them by content,
refuse the dangerous or broken ones as Issues, and parse the rest in
resource-limited worker processes.

>>> from xlsaddin.intake import discover, inspect_file
>>> results = [inspect_file(p) for p in discover([Path("inbox")])]
>>> readable = [r.path for r in results if r.readable]
"""

from xlsaddin.intake.discover import MANIFEST_NAME, Discovery, Hazard, discover, explore, is_skipped
from xlsaddin.intake.guard import SheetGuard
from xlsaddin.intake.inspect import IntakeResult, Kind, dimension_cells, inspect_file
from xlsaddin.intake.limits import DEFAULT_LIMITS, Limits
from xlsaddin.intake.messages import MESSAGES
from xlsaddin.intake.sniff import Container, Sniffed, sniff
from xlsaddin.intake.worker import WorkerFailure, isolated_map

__all__ = [
    "DEFAULT_LIMITS",
    "MANIFEST_NAME",
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
    "sniff",
]
