"""Who sent what, when: submission status of every unit for every appendix.

A missing unit is never treated as zero: it has status ``missing`` and no
values. The same unit sending the same appendix twice is a ``resend`` when the
bytes are identical (sha256), otherwise the latest received file wins and the
older ones are ``superseded``.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlsaddin.core import codes
from xlsaddin.core.issues import Issue
from xlsaddin.intake.discover import MANIFEST_NAME, real_path
from xlsaddin.spec.models import Mappings, Period
from xlsaddin.units import Unit, load_units
from xlsaddin.validate.run import FileResult

State = Literal["accepted", "superseded", "resend", "rejected"]
# A unit whose only file was refused (corrupt, a photo...) cannot be identified from
# that file, so it is "missing"; the refused file is listed with its reason.
Status = Literal["submitted", "late", "missing"]
STATUS_VI = {"submitted": "Đã nộp", "late": "Nộp muộn", "missing": "Chưa nộp"}
SOURCE_VI = {"manifest": "sổ nhận tệp", "mtime": "thời gian sửa tệp"}
STATE_VI = {
    "accepted": "Được dùng",
    "superseded": "Bị thay thế bởi bản gửi sau",
    "resend": "Gửi lại trùng nội dung",
    "rejected": "Bị từ chối",
}


@dataclass
class Submission:
    result: FileResult
    received_at: dt.datetime
    received_source: Literal["manifest", "mtime"]
    state: State = "accepted"
    late: bool = False
    replaced_by: str | None = None

    @property
    def unit_code(self) -> int | None:
        return self.result.table.unit_code if self.result.table else None

    @property
    def appendix(self) -> str | None:
        return self.result.table.spec.id if self.result.table else None


@dataclass
class UnitStatus:
    unit: Unit
    appendix: str
    status: Status
    submission: Submission | None = None
    others: list[Submission] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.submission.result.errors if self.submission else 0


def read_manifests(roots: Sequence[Path]) -> dict[Path, dt.datetime]:
    """Receipt times from ``_thoi_gian_nhan.csv`` sidecars (``tep,thoi_gian_nhan``)."""
    times: dict[Path, dt.datetime] = {}
    folders: dict[Path, Path] = {}
    for root in roots:
        manifest = root / MANIFEST_NAME if root.is_dir() else None
        if manifest is None or not manifest.is_file():
            continue
        try:
            with manifest.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.DictReader(fh):
                    try:
                        when = dt.datetime.fromisoformat(row["thoi_gian_nhan"].strip())
                        if when.tzinfo is not None:  # comparable with the (local) deadline
                            when = when.astimezone().replace(tzinfo=None)
                        times[real_path(root / row["tep"].strip(), folders)] = when
                    except (KeyError, ValueError, AttributeError, TypeError, OSError, RuntimeError):
                        continue  # a line that says nothing usable: mtime decides
        except (OSError, UnicodeError, csv.Error):
            continue  # an unreadable sidecar: every file's mtime decides
    return times


def _modified(path: Path) -> dt.datetime:
    """When the file was last written (a dangling link: the link itself); now if unknown."""
    for look in (path.stat, path.lstat):
        try:
            return dt.datetime.fromtimestamp(look().st_mtime)
        except (OSError, OverflowError, ValueError):
            continue
    return dt.datetime.now().replace(microsecond=0)


def _deadline_end(period: Period) -> dt.datetime:
    return dt.datetime.combine(period.deadline, dt.time(23, 59, 59))


def classify(
    results: Sequence[FileResult], roots: Sequence[Path], mappings: Mappings, period: Period
) -> tuple[list[Submission], dict[str, list[UnitStatus]], list[Issue]]:
    """Submissions with their state, and per appendix the status of every unit (by code)."""
    manifest = read_manifests(roots)
    deadline = _deadline_end(period)
    units = load_units(mappings.project.province.code)
    known = {u.code for u in units}
    submissions = []
    for result in results:
        when = manifest.get(result.path.absolute()) if manifest else None
        if when is None and manifest:
            try:
                when = manifest.get(result.path.resolve())
            except (OSError, RuntimeError):
                when = None
        source: Literal["manifest", "mtime"] = "manifest"
        if when is None:
            when = _modified(result.path)
            source = "mtime"
        sub = Submission(result, when, source)
        sub.late = when > deadline
        if result.table is None or result.table.unit_code not in known:
            # no unit, or a code that is not one of the province's units (validation
            # reported it as unit-unknown): whose figures these are cannot be trusted
            sub.state = "rejected"
        submissions.append(sub)

    groups: dict[tuple[int, str], list[Submission]] = defaultdict(list)
    for sub in submissions:
        if sub.state == "accepted" and sub.unit_code is not None and sub.appendix is not None:
            groups[(sub.unit_code, sub.appendix)].append(sub)
    issues: list[Issue] = []
    for (unit_code, appendix), subs in groups.items():
        # the latest content wins; ties broken by name so the result never depends on file
        # order. Of the identical copies received last in a row, the first is the
        # submission (its time decides lateness) and the later ones are resends: sending
        # the same file again after the deadline does not make an on-time report late. (A
        # copy of it from before another version came in does not count: v1, v2, then v1
        # again is v1 as sent the last time.)
        subs.sort(key=lambda s: (s.received_at, s.result.name), reverse=True)
        latest = subs[0].result.sha256
        run = 1
        while run < len(subs) and subs[run].result.sha256 == latest:
            run += 1
        subs.insert(0, subs.pop(run - 1))
        winner = subs[0]
        for older in subs[1:]:
            same = older.result.sha256 == winner.result.sha256
            older.state = "resend" if same else "superseded"
            older.replaced_by = winner.result.name
            issues.append(
                Issue.of(
                    codes.SUBMISSION_RESEND if same else codes.SUBMISSION_SUPERSEDED,
                    unit_code=unit_code,
                    appendix=appendix,
                    file=older.result.name,
                    message=(
                        f'Trùng nội dung với tệp "{winner.result.name}"; chỉ tính một lần.'
                        if same
                        else f'Bị thay thế bởi tệp gửi sau "{winner.result.name}"; '
                        "số liệu tệp này không được dùng."
                    ),
                )
            )

    status: dict[str, list[UnitStatus]] = {}
    for spec in mappings.appendices:
        rows = []
        for unit in units:
            subs = groups.get((unit.code, spec.id), [])
            if subs:
                winner = subs[0]
                kind: Status = "late" if winner.late else "submitted"
                rows.append(UnitStatus(unit, spec.id, kind, winner, subs[1:]))
                if winner.late:
                    issues.append(
                        Issue.of(
                            codes.SUBMISSION_LATE,
                            unit_code=unit.code,
                            appendix=spec.id,
                            file=winner.result.name,
                            message=f"Nộp sau hạn {period.deadline:%d/%m/%Y}: nhận lúc "
                            f"{winner.received_at:%H:%M %d/%m/%Y} "
                            f"(theo {SOURCE_VI[winner.received_source]}).",
                        )
                    )
            else:
                rows.append(UnitStatus(unit, spec.id, "missing"))
                issues.append(
                    Issue.of(
                        codes.SUBMISSION_MISSING,
                        unit_code=unit.code,
                        appendix=spec.id,
                        message=f"{unit.name} chưa nộp {spec.code}.",
                    )
                )
        status[spec.id] = rows
    return submissions, status, issues
