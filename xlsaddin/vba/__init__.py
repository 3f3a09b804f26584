"""Build Excel VBA projects (``vbaProject.bin``) from VBA source, following [MS-OVBA]/[MS-CFB]."""

from xlsaddin.vba.compression import compress, decompress
from xlsaddin.vba.project import (
    DEFAULT_DOCUMENTS,
    SYSKIND_WIN32,
    SYSKIND_WIN64,
    build_vba_project,
    read_bas,
    sheet_documents,
)

__all__ = [
    "DEFAULT_DOCUMENTS",
    "SYSKIND_WIN32",
    "SYSKIND_WIN64",
    "build_vba_project",
    "compress",
    "decompress",
    "read_bas",
    "sheet_documents",
]
