"""Shared fixtures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from xlsaddin.consolidate import Consolidation
from xlsaddin.demo import DemoResult, run_demo
from xlsaddin.publish import Published, publish
from xlsaddin.spec import Mappings, load_mappings

from .paths import EXTRA_APPENDICES, MAPPINGS, ROOT

__all__ = ["ROOT"]  # tests import the repository root from here too

if EXTRA_APPENDICES:  # commands run by the tests (in-process or not) see the same mappings
    os.environ["XLSADDIN_MAPPINGS"] = str(MAPPINGS)

# The validated-mappings cache (spec/cache.py) of this test run, in and out of process: not
# the user's own cache folder.
_CACHE = Path(tempfile.mkdtemp(prefix="xlsaddin-test-cache-"))
os.environ["XLSADDIN_CACHE"] = str(_CACHE)


@pytest.fixture(autouse=True)
def _fresh_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process, every file is read again (``validate/reuse.py:REUSE``): tests patch what
    reading does, and one test's outcome must not answer for another's. Commands run as
    subprocesses keep outcomes in this run's cache folder, as for an officer; the tests of
    reuse turn it back on."""
    monkeypatch.setattr("xlsaddin.validate.reuse.REUSE", False)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def mappings() -> Mappings:
    return load_mappings(MAPPINGS)


@pytest.fixture(scope="session")
def demo(mappings: Mappings, tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """One demo inbox for the whole session (tests only read it)."""
    return run_demo(mappings, tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def soffice(tmp_path_factory: pytest.TempPathFactory) -> LibreOffice:
    """LibreOffice headless; mandatory when XLSADDIN_REQUIRE_LIBREOFFICE=1 (CI)."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        if os.environ.get("XLSADDIN_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("LibreOffice (soffice) is required here but not installed")
        pytest.skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
    return LibreOffice(exe, tmp_path_factory.mktemp("lo-profile"))


class LibreOffice:
    def __init__(self, exe: str, profile: Path) -> None:
        self.exe = exe
        self.profile = profile

    def convert(
        self, files: list[Path], out_dir: Path, fmt: str = "pdf"
    ) -> subprocess.CompletedProcess[str]:
        out_dir.mkdir(parents=True, exist_ok=True)
        return subprocess.run(
            [
                self.exe,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{self.profile}",
                "--convert-to",
                fmt,
                "--outdir",
                str(out_dir),
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )


def finance_workbook(mappings: Mappings, path: Path, **changes: object) -> Path:
    """A filled PL02 of Xã Ba Tơ (21484), clean unless ``changes`` break it."""
    from xlsaddin.forms import Filled, write_workbook
    from xlsaddin.units import by_code

    rows: dict[str, dict[str, object]] = {
        "chi_dau_tu": {
            "du_toan": 100,
            "duoc_duyet": 90,
            "duoc_phan_bo": 60,
            "chua_phan_bo": 30,
            "da_giai_ngan": 50,
            "noi_dung_giai_ngan": "Mua máy tính",
        },
        "chi_thuong_xuyen": {
            "du_toan": 10,
            "duoc_duyet": 10,
            "duoc_phan_bo": 10,
            "chua_phan_bo": 0,
            "da_giai_ngan": 0,
        },
    }
    rows["chi_dau_tu"].update(changes)
    return write_workbook(
        mappings,
        mappings.appendix("nguon_luc_tai_chinh"),
        path,
        unit=by_code(21484),
        fill=Filled(header={"reporter": "Lê Văn A"}, rows=rows),
    )


def two_periods(demo: DemoResult, mappings: Mappings, folder: Path) -> tuple[Any, Any, Path]:
    """Consolidate part of the demo inbox as 2025-q3 and all of it as 2025-q4, sharing one
    history database; returns (q3, q4, the q4 provincial workbook)."""
    from xlsaddin.consolidate import consolidate
    from xlsaddin.consolidate.history import HistoryStore
    from xlsaddin.publish import publish

    store = HistoryStore.at_path(folder / "h.sqlite")
    try:
        q3 = consolidate([demo.inbox / "zalo"], mappings, period_id="2025-q3", history=store)
        publish(
            q3,
            mappings,
            out=folder / "q3.xlsx",
            json_path=None,
            audit_path=folder / "a.jsonl",
            history=store,
        )
        q4 = consolidate([demo.inbox], mappings, period_id="2025-q4", history=store)
        out = publish(
            q4,
            mappings,
            out=folder / "q4.xlsx",
            json_path=None,
            audit_path=folder / "a.jsonl",
            history=store,
        ).workbook
    finally:
        store.close()
    return q3, q4, out


def demo_file(demo: DemoResult, role: str) -> str:
    """The inbox-relative name of the one demo file with ``role`` (see the answer key)."""
    key = json.loads(demo.answer_key.read_text(encoding="utf-8"))
    [name] = [f["file"] for f in key["files"] if f["role"] == role]
    return str(name)


def publish_plain(
    result: Consolidation, mappings: Mappings, workbook: Path, json_path: Path | None = None
) -> Published:
    """Publish ``result`` to ``workbook`` without a history database (the audit line goes
    to ``audit.jsonl`` beside it): what most tests of the outputs need."""
    return publish(
        result,
        mappings,
        out=workbook,
        json_path=json_path,
        audit_path=workbook.parent / "audit.jsonl",
        history=None,
    )
