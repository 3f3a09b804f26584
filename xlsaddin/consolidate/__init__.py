"""96 returned workbooks -> provincial tables, submission status, overdue tasks, history."""

from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.run import consolidate

__all__ = ["Consolidation", "consolidate"]
