"""Typed models of the YAML mappings (``mappings/``) and their loader."""

from xlsaddin.spec.loader import SpecError, default_mappings_dir, load_mappings
from xlsaddin.spec.models import (
    AppendixSpec,
    CheckRule,
    Column,
    DeadlineRule,
    HeaderField,
    Mappings,
    Period,
    Project,
    RowDef,
)

__all__ = [
    "AppendixSpec",
    "CheckRule",
    "Column",
    "DeadlineRule",
    "HeaderField",
    "Mappings",
    "Period",
    "Project",
    "RowDef",
    "SpecError",
    "default_mappings_dir",
    "load_mappings",
]
