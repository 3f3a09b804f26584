"""Several consolidations side by side (one per province): same output, failures isolated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from python_calamine import CalamineWorkbook

from benchmarks.batch import Job, consolidate_many
from xlsaddin.consolidate import consolidate
from xlsaddin.core.sheets import ISSUES, STATUS
from xlsaddin.demo import DemoResult
from xlsaddin.publish import publish
from xlsaddin.report.province_workbook import appendix_sheet_name
from xlsaddin.spec import Mappings


def _sheets(path: Path, names: list[str]) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in names}


def test_jobs_side_by_side_match_one_by_one_and_a_broken_job_costs_only_itself(
    demo: DemoResult, mappings: Mappings, tmp_path: Path
) -> None:
    broken = tmp_path / "mappings_hong"
    shutil.copytree(mappings.root, broken)
    (broken / "project.yaml").write_text("province: [khong dung\n", encoding="utf-8")
    one_file = next(p for p in sorted(demo.inbox.rglob("*.xlsx")) if not p.name.startswith("~$"))
    jobs = [
        Job((one_file,), Path(mappings.root), tmp_path / "s.xlsx", tmp_path / "s.jsonl"),
        Job((demo.inbox,), Path(mappings.root), tmp_path / "a.xlsx", tmp_path / "a.jsonl"),
        Job((demo.inbox,), broken, tmp_path / "b.xlsx", tmp_path / "b.jsonl"),
        Job(
            (demo.inbox,),
            Path(mappings.root),
            tmp_path / "c.xlsx",
            tmp_path / "c.jsonl",
            json_path=tmp_path / "c.json",
            processes=2,
        ),
    ]
    seen: list[tuple[int, int]] = []
    results = consolidate_many(jobs, parallel=2, progress=lambda d, t: seen.append((d, t)))

    # run largest first, reported in the order given
    assert [r.job for r in results] == jobs
    small, good, bad, other = results
    assert small.ok and small.files == 1 and (tmp_path / "s.xlsx").exists()
    assert good.ok and other.ok
    assert not bad.ok and bad.workbook is None and not (tmp_path / "b.xlsx").exists()
    assert bad.error is not None and "project.yaml" in bad.error and str(broken) in bad.error
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]  # one step per job as it ends

    # the same figures as the one-province path, in this process
    direct = consolidate([demo.inbox], mappings)
    published = publish(
        direct,
        mappings,
        out=tmp_path / "direct.xlsx",
        json_path=None,
        audit_path=tmp_path / "direct.jsonl",
        history=None,
    )
    names = [STATUS, ISSUES, *(appendix_sheet_name(a) for a in direct.appendices)]
    expected = _sheets(published.workbook, names)
    assert good.workbook is not None and other.workbook is not None
    assert _sheets(good.workbook, names) == expected
    assert _sheets(other.workbook, names) == expected
    submitted = {
        s.unit.code for a in direct.appendices for s in a.statuses if s.status != "missing"
    }
    assert (good.files, good.rejected, good.submitted, good.expected, good.issues) == (
        len(direct.submissions),
        len(direct.rejected),
        len(submitted),
        96,
        len(direct.issues),
    )
    # each job wrote its own audit line and the JSON it was asked for
    assert len((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    report = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert report["units_expected"] == 96 and report["output"] == str(other.workbook)
