"""A consolidation run that stops dead at a chosen moment of publishing (kill tests).

``python -m tests.publish_child INBOX OUT_DIR TARGET WHEN NTH``: patches ``TARGET``
(``module:attribute``) so that on its NTH call, ``before`` or ``after`` the real call, it
writes ``OUT_DIR/.angekommen`` and sleeps; the test then sends SIGKILL. ``TARGET`` "-"
runs to the end.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import Any


def _stop_at(target: str, when: str, nth: int, marker: Path) -> None:
    module_name, attr = target.split(":")
    owner: Any = importlib.import_module(module_name)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    real = getattr(owner, name)
    calls = 0

    def halt() -> None:
        marker.write_text("here")
        time.sleep(120)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == nth and when == "before":
            halt()
        result = real(*args, **kwargs)
        if calls == nth and when == "after":
            halt()
        return result

    setattr(owner, name, wrapper)


def main() -> None:
    inbox, out_dir, target, when, nth = sys.argv[1:6]
    out = Path(out_dir)
    if target != "-":
        _stop_at(target, when, int(nth), out / ".angekommen")
    from xlsaddin.pipeline import Outputs, run_consolidation
    from xlsaddin.spec import load_mappings

    mappings = load_mappings(Path(__file__).resolve().parents[1] / "mappings")
    outputs = Outputs(workbook=out / "TINH.xlsx", json=out / "TINH.json")
    run_consolidation([Path(inbox)], mappings, outputs=outputs, processes=1)


if __name__ == "__main__":
    main()
