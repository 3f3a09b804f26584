"""Where the shipped data folders are: the default ``mappings/`` and the VBA ``macros/``.

The top-level ``mappings/`` and ``macros/`` folders of the repository are the
single editable source. A wheel carries them as ``xlsaddin/_data/<name>`` (the
build maps the folders into the package: ``[tool.hatch.build.targets.wheel.
force-include]`` in ``pyproject.toml``; no second copy is kept by hand), read
through :mod:`importlib.resources`. An editable install or a source checkout has
no ``_data`` folder and uses the repository's folders directly.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DATA_PACKAGE = "xlsaddin"
DATA_FOLDER = "_data"


def shipped(name: str) -> Path:
    """The shipped folder ``name`` ("mappings" or "macros") as a real directory path."""
    packaged = files(DATA_PACKAGE) / DATA_FOLDER / name
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / name
