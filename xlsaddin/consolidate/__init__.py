"""96 returned workbooks -> provincial sheets, submission status, overdue tasks, history."""

from xlsaddin.consolidate.model import Consolidation
from xlsaddin.consolidate.publish import Published, publish
from xlsaddin.consolidate.run import consolidate

__all__ = ["Consolidation", "Published", "consolidate", "publish"]
