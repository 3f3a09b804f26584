"""Where the tests find their mappings.

``MAPPINGS`` is the shipped ``mappings/`` folder, or — when ``XLSADDIN_EXTRA_APPENDIX``
names extra appendix YAML files (``os.pathsep``-separated, relative to the repository)
— a copy of it with those files added to ``appendices/``. ``.ci/run`` runs the whole
suite a second time that way, to prove that a new appendix is a YAML file only.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MAPPINGS = ROOT / "mappings"
EXTRA_APPENDICES = tuple(
    ROOT / p for p in os.environ.get("XLSADDIN_EXTRA_APPENDIX", "").split(os.pathsep) if p
)


def _with_extra() -> Path:
    parent = Path(tempfile.mkdtemp(prefix="xlsaddin-mappings-"))
    atexit.register(shutil.rmtree, parent, True)
    root = parent / "mappings"  # same folder name: messages name "mappings/…" either way
    shutil.copytree(SHIPPED_MAPPINGS, root)
    for extra in EXTRA_APPENDICES:
        shutil.copy(extra, root / "appendices" / extra.name)
    return root


MAPPINGS = _with_extra() if EXTRA_APPENDICES else SHIPPED_MAPPINGS
