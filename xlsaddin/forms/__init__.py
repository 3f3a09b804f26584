"""mappings -> standard appendix workbooks."""

from xlsaddin.forms.runner import BuildResult, build_templates, build_unit_copies, unit_folder
from xlsaddin.forms.workbook import Filled, write_workbook
from xlsaddin.spec.layout import Layout, compute_layout

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
