"""mappings -> standard appendix workbooks."""

from xlsaddin.core.layout import Layout, compute_layout
from xlsaddin.forms.runner import BuildResult, build_templates, build_unit_copies, unit_folder
from xlsaddin.forms.workbook import Filled, write_workbook

__all__ = [
    "BuildResult",
    "Filled",
    "Layout",
    "build_templates",
    "build_unit_copies",
    "compute_layout",
    "unit_folder",
    "write_workbook",
]
