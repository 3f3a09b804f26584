"""Names a package exports but imports only on first use (PEP 562).

A package whose face re-exports names of heavy modules (``intake``, ``read``) makes
everyone who imports any of its light modules pay for the heavy ones; with these names
resolved on first use, a run that never reads a file never imports the readers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, where: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``where`` maps each exported name to the
    submodule that defines it; a name is imported on first use, then kept in
    ``namespace`` (the package's globals)."""

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        namespace[name] = value
        return value

    return __getattr__
