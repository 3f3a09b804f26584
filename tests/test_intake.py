"""Intake of untrusted files: identification, refusals, limits, isolated workers.

The hostile corpus is generated at test time by ``tests/hostile.py``.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import LibreOffice, finance_workbook
from tests.hostile import IGNORED_NAMES, billion_laughs, build_corpus, build_read_corpus
from xlsaddin.core import codes
from xlsaddin.intake import (
    MESSAGES,
    IntakeResult,
    Limits,
    WorkerFailure,
    dimension_cells,
    discover,
    inspect_file,
    isolated_map,
)
from xlsaddin.intake.discover import Hazard, explore
from xlsaddin.intake.parts import OUTWARD_FUNCTIONS
from xlsaddin.intake.sniff import sniff
from xlsaddin.intake.worker import process_context
from xlsaddin.read import Table, read_file
from xlsaddin.spec import Mappings

ROOT = Path(__file__).resolve().parents[1]
GiB = 1024**3
VIETNAMESE = set("ăâđêôơưáàảãạếềểễệóòỏõọốồổỗộớờởỡợíìỉĩịúùủũụứừửữựýỳỷỹỵ")

#: Every code that has at least one sample in the corpus.
SAMPLED_CODES = [
    "file-too-large",
    "file-not-workbook",
    "file-unsupported-format",
    "file-corrupt",
    "file-encrypted",
    "file-legacy-xls",
    "file-too-many-parts",
    "file-zip-bomb",
    "file-has-macros",
    "file-has-embedded-objects",
    "file-has-activex",
    "file-has-external-links",
    "file-has-data-connections",
    "file-xml-entities",
    "file-huge-dimension",
    "file-duplicate-parts",
    "file-has-external-formulas",
]
#: Codes given when the reader is about to parse a sheet (build_read_corpus).
READ_CODES = {"file-duplicate-cells"}
#: Codes of the inbox itself (sampled by build_inbox_hazards, tests/test_hostile_corpus.py).
INBOX_CODES = {
    "inbox-folder-unreadable",
    "inbox-special-file",
    "inbox-broken-link",
    "inbox-link-outside",
}


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class Corpus:
    folder: Path
    expected: dict[str, str | None]

    def __getitem__(self, name: str) -> Path:
        return self.folder / name


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    folder = tmp_path_factory.mktemp("intake-corpus")
    return Corpus(folder, build_corpus(folder))


@pytest.fixture(scope="session")
def results(corpus: Corpus) -> dict[str, IntakeResult]:
    return {name: inspect_file(corpus[name]) for name in corpus.expected}


# --------------------------------------------------------------------------- inspect_file


@pytest.mark.parametrize("code", SAMPLED_CODES)
def test_each_hostile_sample_gets_its_own_code(
    corpus: Corpus, results: dict[str, IntakeResult], code: str
) -> None:
    names = [name for name, expected in corpus.expected.items() if expected == code]
    assert names, f"no sample for {code}"
    for name in names:
        result = results[name]
        assert result.codes == (code,), (name, result.issues)
        assert not result.readable, name
        (issue,) = result.issues
        assert issue.severity == "error"
        assert issue.file == str(corpus[name])
        assert issue.message and VIETNAMESE & set(issue.message.lower()), issue.message
        assert "{" not in issue.message, issue.message


def test_sheets_are_walked_before_the_reader_parses_them(
    mappings: Mappings, tmp_path: Path
) -> None:
    """Cells written twice, a grid too large, a bad address: refused before any parsing."""
    from xlsaddin.validate.run import validate_paths

    expected = build_read_corpus(tmp_path)
    assert {c for c in expected.values()} >= READ_CODES
    for name in expected:
        assert inspect_file(tmp_path / name).readable, name  # intake lets them through
    for result in validate_paths([tmp_path], mappings).files:
        assert result.rejected and [i.code for i in result.issues] == [expected[result.name]]
        assert result.issues[0].sheet == "PL01", result.issues


def test_every_issue_code_is_documented() -> None:
    messages = {c.code for c in MESSAGES}
    assert set(SAMPLED_CODES) <= messages
    assert messages - set(SAMPLED_CODES) == {"file-unreadable"} | INBOX_CODES | READ_CODES


def test_valid_workbook_is_readable_with_no_issues(
    corpus: Corpus, results: dict[str, IntakeResult]
) -> None:
    for name in ("valid.xlsx", "bao_cao_xa_01.dat"):  # the extension does not matter
        result = results[name]
        assert result.readable and result.kind == "xlsx" and result.issues == ()
    data = corpus["valid.xlsx"].read_bytes()
    assert results["valid.xlsx"].sha256 == hashlib.sha256(data).hexdigest()
    assert results["valid.xlsx"].size == len(data)
    assert results["valid.xlsx"].content == data  # what was hashed is what gets parsed


def test_refused_files_carry_no_bytes(corpus: Corpus, results: dict[str, IntakeResult]) -> None:
    refused = [r for r in results.values() if not r.readable]
    assert refused and all(r.content is None for r in refused)


def test_the_reader_parses_the_bytes_intake_hashed(mappings: Mappings, tmp_path: Path) -> None:
    """A file replaced between inspection and parsing cannot slip in unchecked."""
    path = finance_workbook(mappings, tmp_path / "bao_cao.xlsx")
    inspected = inspect_file(path)
    path.write_bytes(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x/>")  # swapped after the checks
    table = read_file(path, mappings, inspected.sha256, path.name, inspected.content)
    assert isinstance(table, Table) and table.sha256 == inspected.sha256


def test_project_templates_are_readable() -> None:
    templates = sorted((ROOT / "workbooks").glob("*.xlsx"))
    if not templates:
        pytest.skip("no generated templates in workbooks/")
    for path in templates:
        result = inspect_file(path)
        assert result.readable and result.issues == (), (path, result.issues)


def test_kinds(results: dict[str, IntakeResult]) -> None:
    assert results["macro.xlsm"].kind == "xlsm"
    assert results["macro_content_type_only.xlsx"].kind == "xlsm"
    assert results["external_links.xlsx"].kind == "xlsx"
    for name in ("photo.xlsx", "legacy_crafted.xls", "truncated.xlsx", "too_large.xlsx"):
        assert results[name].kind == "rejected"
    assert results["legacy_crafted.xls"].issues[0].message.count("Lưu thành .xlsx") == 1


def test_messages_name_the_problem(results: dict[str, IntakeResult]) -> None:
    def message(name: str) -> str:
        return results[name].issues[0].message

    assert message("encrypted_crafted.xlsx") == (
        "Tệp bị mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi gửi lại."
    )
    assert "ảnh JPEG" in message("photo.xlsx")
    assert "PDF" in message("scan.pdf")
    assert "rỗng" in message("empty.xlsx")
    assert "HTML" in message("web_export.xls") and "Lưu thành .xlsx" in message("web_export.xls")
    assert "giải nén" in message("gui_kem.zip")
    assert "A1:XFD1048576" in message("huge_dimension.xlsx")
    assert "17.179.869.184" in message("huge_dimension.xlsx")
    assert results["huge_dimension.xlsx"].issues[0].sheet == "PL01"
    assert "'PL01'" in message("huge_dimension.xlsx")
    assert results["entity_bomb.xlsx"].issues[0].value == "xl/sharedStrings.xml"


def test_real_password_protected_workbook(corpus: Corpus, results: dict[str, IntakeResult]) -> None:
    if "encrypted.xlsx" not in corpus.expected:
        pytest.skip("msoffcrypto-tool not installed: only the crafted OLE sample was built")
    assert results["encrypted.xlsx"].codes == ("file-encrypted",)


@pytest.mark.libreoffice
def test_legacy_xls_saved_by_libreoffice(
    corpus: Corpus, soffice: LibreOffice, tmp_path: Path
) -> None:
    done = soffice.convert([corpus["valid.xlsx"]], tmp_path, "xls")
    out = tmp_path / "valid.xls"
    assert out.exists(), done.stderr
    renamed = out.rename(tmp_path / "bao_cao.xlsx")  # a renamed .xls is still an .xls
    assert inspect_file(renamed).codes == ("file-legacy-xls",)


def test_inspect_never_raises_on_anything(corpus: Corpus, tmp_path: Path) -> None:
    for path in sorted(corpus.folder.iterdir()):
        assert isinstance(inspect_file(path), IntakeResult)
    missing = inspect_file(tmp_path / "khong_co.xlsx")
    assert missing.codes == ("file-unreadable",) and missing.sha256 == ""
    assert inspect_file(tmp_path).codes == ("file-unreadable",)


def test_risky_parts_are_never_decompressed(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    for name in ("macro.xlsm", "embeddings.xlsx", "activex.xlsx", "zip_bomb.xlsx"):
        assert not inspect_file(corpus[name]).readable
    assert not {n for n in opened if n.endswith(".bin")}
    assert "xl/worksheets/sheet2.xml" not in opened  # the 300 MB bomb entry


def test_limits_are_configurable(corpus: Corpus) -> None:
    valid = corpus["valid.xlsx"]
    assert inspect_file(valid, Limits(max_file_bytes=1000)).codes == ("file-too-large",)
    assert inspect_file(valid, Limits(max_sheet_cells=10)).codes == ("file-huge-dimension",)
    assert inspect_file(valid, Limits(max_zip_entries=3)).codes == ("file-too-many-parts",)
    assert inspect_file(valid, Limits(max_uncompressed_bytes=1000)).codes == ("file-zip-bomb",)
    assert inspect_file(valid, Limits(max_xml_part_bytes=100)).codes == ("file-zip-bomb",)


def test_memory_stays_bounded_across_the_corpus(corpus: Corpus) -> None:
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from xlsaddin.intake import inspect_file\n"
        "files = sorted(Path(sys.argv[1]).iterdir())\n"
        "inspect_file(files[0])\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "for p in files:\n"
        "    inspect_file(p)\n"
        "print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    pytest.importorskip("resource")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(corpus.folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    before_kib, after_kib = map(int, done.stdout.split())
    assert (after_kib - before_kib) * 1024 < 200 * 1024 * 1024


def test_dimension_cells() -> None:
    assert dimension_cells("A1:XFD1048576") == 16384 * 1048576
    assert dimension_cells("A1") == 1
    assert dimension_cells("B2:$D$10") == 9 * 3
    assert dimension_cells("garbage") is None


def test_sniff_by_content(corpus: Corpus) -> None:
    assert sniff(corpus["bao_cao_xa_01.dat"]).is_workbook
    assert sniff(corpus["legacy_crafted.xls"]).container == "ole"
    assert sniff(corpus["photo.xlsx"]).container == "other"
    assert not sniff(corpus["bao_cao.docx"]).is_workbook


# --------------------------------------------------------------------------- discover


def test_discover_skips_lock_hidden_and_manifest(corpus: Corpus) -> None:
    found = discover([corpus.folder])
    names = [p.name for p in found]
    assert names == sorted(names)
    assert set(names) == set(corpus.expected)
    assert not set(IGNORED_NAMES) & set(names)


def test_discover_recurses_dedupes_and_skips_hidden_dirs(tmp_path: Path) -> None:
    (tmp_path / "xa_a" / "dot_2").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    files = [
        tmp_path / "xa_a" / "bc.xlsx",
        tmp_path / "xa_a" / "dot_2" / "BC.XLS",
        tmp_path / "xa_a" / "anh_chup.jpg",
        tmp_path / ".git" / "config.xlsx",
        tmp_path / "xa_a" / "~$bc.xlsx",
        tmp_path / "_THOI_GIAN_NHAN.csv",
    ]
    for f in files:
        f.write_bytes(b"x")
    found = discover([tmp_path, tmp_path / "xa_a", files[0], tmp_path / "khong_co"])
    assert found == sorted(files[:3])


def _walk_model(root: Path) -> tuple[list[Path], list[tuple[Path, str, str]]]:
    """What discovery finds, by the os.walk algorithm it used before it listed folders
    with os.scandir (December 2026): the model the faster walk must agree with. Links are
    judged by discovery's own ``_link`` (its rules have their own tests)."""
    from xlsaddin.intake.discover import _kind, _link, is_skipped

    found: dict[Path, Path] = {}
    hazards: list[Any] = []
    real_root = root.resolve(strict=True)
    for folder, dirs, files in os.walk(root):
        base = Path(folder)
        kept = []
        for d in dirs:
            if d.startswith("."):
                continue
            if (base / d).is_symlink():
                _link(base / d, real_root, found, hazards, folder_link=True)
            else:
                kept.append(d)
        dirs[:] = kept
        for name in files:
            entry = base / name
            if is_skipped(name):
                continue
            if entry.is_symlink():
                _link(entry, real_root, found, hazards, folder_link=False)
                continue
            mode = entry.lstat().st_mode
            if stat.S_ISREG(mode):
                found[entry] = entry
            else:
                hazards.append(Hazard(entry, codes.INBOX_SPECIAL_FILE, _kind(mode)))
    # one path per real file: the file itself rather than a link to it, else the first
    by_file: dict[Path, list[Path]] = {}
    for path in found.values():
        by_file.setdefault(path.resolve(), []).append(path)
    kept = [min(paths, key=lambda p: (p.is_symlink(), str(p))) for paths in by_file.values()]
    triples = sorted((h.path, h.code.code, h.detail) for h in hazards)
    return sorted(kept), triples


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and symlinks")
def test_discovery_finds_what_a_plain_os_walk_finds(tmp_path: Path) -> None:
    """Every kind of entry, nested: the scandir walk agrees with the os.walk model, file
    for file and hazard for hazard (code and detail)."""
    inbox = tmp_path / "hop_thu"
    for folder in ("email/2026", "zalo", ".an", "email/.cache", "trong"):
        (inbox / folder).mkdir(parents=True)
    for name in ("email/a.xlsx", "email/2026/b.xlsx", "zalo/c.xls", ".an/d.xlsx", "zalo/.e.xlsx",
                 "zalo/~$c.xls", "zalo/Thumbs.db", "email/2026/anh.jpg"):  # fmt: skip
        (inbox / name).write_bytes(b"x")
    (tmp_path / "ngoai.xlsx").write_bytes(b"x")
    os.mkfifo(inbox / "zalo" / "ong.xlsx")
    links = {
        "zalo/lien_ket.xlsx": inbox / "email" / "a.xlsx",  # inside: the same file once
        "zalo/ra_ngoai.xlsx": tmp_path / "ngoai.xlsx",
        "zalo/gay.xlsx": inbox / "khong_co.xlsx",
        "thu_muc_trong": inbox / "email",  # a folder inside: walked there
        "thu_muc_ngoai": tmp_path,
        ".an_lien_ket": tmp_path,  # hidden: skipped before it is looked at
        "vong": inbox / "vong",
    }
    for name, target in links.items():
        (inbox / name).symlink_to(target)
    found = explore([inbox])
    assert found.files == _walk_model(inbox)[0]
    assert sorted((h.path, h.code.code, h.detail) for h in found.hazards) == _walk_model(inbox)[1]
    assert len(found.files) == 4 and len(found.hazards) == 5


class _Untyped:
    """A folder entry whose type the listing did not give, in a folder that can be
    listed but not searched: every question about it needs a stat, which is refused."""

    def __init__(self, entry: os.DirEntry[str]) -> None:
        self.name, self.path = entry.name, entry.path

    def _refused(self, *_: object, **__: object) -> bool:
        raise PermissionError(13, "Permission denied", self.path)

    is_dir = is_file = is_symlink = stat = _refused


def test_a_folder_listed_but_not_searchable_is_reported_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(Seen by a reviewer with a filesystem that gives no file types and a folder of
    mode 644: the walk raised, and validate and consolidate stopped with a crash log.)"""
    import contextlib
    import importlib

    module = importlib.import_module("xlsaddin.intake.discover")  # (the package exports a
    # function of the same name)

    (tmp_path / "mo").mkdir()
    (tmp_path / "khoa").mkdir()
    (tmp_path / "mo" / "a.xlsx").write_bytes(b"x")
    (tmp_path / "khoa" / "b.xlsx").write_bytes(b"x")
    (tmp_path / "khoa" / "c.xlsx").write_bytes(b"x")
    real_scandir = os.scandir

    @contextlib.contextmanager
    def scandir(folder: Path) -> Iterator[list[Any]]:
        with real_scandir(folder) as listing:
            entries = list(listing)
        yield [_Untyped(e) if Path(folder).name == "khoa" else e for e in entries]

    monkeypatch.setattr(module.os, "scandir", scandir)
    found = explore([tmp_path])
    assert found.files == [tmp_path / "mo" / "a.xlsx"]
    assert [(h.path, h.code) for h in found.hazards] == [
        (tmp_path / "khoa", codes.INBOX_FOLDER_UNREADABLE)
    ]


# --------------------------------------------------------------------------- isolated_map
# Worker functions must be top-level (picklable by reference).


def double(x: int) -> int:
    return 2 * x


def allocate_4gib_on_one(x: int) -> int:
    if x == 1:
        block = bytearray(4 * GiB)
        return len(block)
    return 2 * x


def exit_on_one(x: int) -> int:
    if x == 1:
        os._exit(1)
    return 2 * x


def hang_on_one(x: int) -> int:
    if x == 1:
        time.sleep(120)
    return 2 * x


def raise_on_one(x: int) -> int:
    if x == 1:
        raise ValueError("hỏng")
    return 2 * x


def stdlib_parse(data: bytes) -> str:
    return ET.fromstring(data).tag


needs_rlimit = pytest.mark.skipif(
    sys.platform not in ("linux", "linux2"), reason="RLIMIT_AS is enforced on Linux only"
)


def ok_or_failure(results: list[Any]) -> Iterator[Any]:
    for r in results:
        yield r.reason if isinstance(r, WorkerFailure) else r


def gc_enabled(_: int) -> bool:
    import gc

    return gc.isenabled()


def test_workers_collect_garbage_even_when_the_parent_paused_it() -> None:
    import gc

    from xlsaddin.gc_pause import gc_paused

    with gc_paused():
        assert not gc.isenabled()
        assert isolated_map(gc_enabled, [0, 1], Limits()) == [True, True]
    assert gc.isenabled()


def test_a_threaded_parent_starts_workers_that_work() -> None:
    """A parent with threads does not fork (forkserver): its workers import the modules of
    what they run after their set-up, which must leave those imports working (a first
    version blocked parsers there and every worker died)."""
    import threading

    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait, daemon=True)
    waiter.start()
    try:
        assert process_context().get_start_method() != "fork"
        assert isolated_map(double, [1, 2, 3], Limits()) == [2, 4, 6]
        assert isolated_map(double, [5], Limits()) == [10]
    finally:
        stop.set()
        waiter.join()


def test_isolated_map_plain() -> None:
    assert isolated_map(double, [1, 2, 3], Limits()) == [2, 4, 6]
    assert isolated_map(double, [], Limits()) == []


@needs_rlimit
def test_isolated_map_memory_hog_costs_one_item() -> None:
    out = isolated_map(allocate_4gib_on_one, [0, 1, 2, 3], Limits(), processes=2)
    assert out[0] == 0 and out[2] == 4 and out[3] == 6
    assert out[1] == WorkerFailure(1, "memory")


def test_isolated_map_dead_worker_costs_one_item() -> None:
    settled: list[int] = []
    out = isolated_map(exit_on_one, [0, 1, 2, 3, 4], Limits(), processes=2, on_done=settled.append)
    assert list(ok_or_failure(out)) == [0, "crashed", 4, 6, 8]
    assert sorted(settled) == [0, 1, 2, 3, 4]  # each item reported once, the crashed one too
    assert isinstance(out[1], WorkerFailure) and out[1].item_index == 1


def test_isolated_map_timeout_costs_one_item() -> None:
    started = time.monotonic()
    out = isolated_map(hang_on_one, [0, 1, 2, 3], Limits(worker_timeout_s=2), processes=2)
    assert list(ok_or_failure(out)) == [0, "timeout", 4, 6]
    assert time.monotonic() - started < 20


def test_isolated_map_exception_costs_one_item() -> None:
    out = isolated_map(raise_on_one, [0, 1, 2], Limits())
    assert list(ok_or_failure(out)) == [0, "error: ValueError: hỏng", 4]


def test_workers_have_defused_xml() -> None:
    out = isolated_map(stdlib_parse, [b"<a/>", billion_laughs()], Limits())
    assert out[0] == "a"
    assert isinstance(out[1], WorkerFailure) and "EntitiesForbidden" in out[1].reason


DEFUSE_PROBE = """
import sys
{before}
from xlsaddin.intake.worker import _defuse_xml
_defuse_xml(block={block})
BOMB = {bomb!r}
def billion_laughs():
    return BOMB
import xml.etree.ElementTree as ET
for parse in (ET.fromstring, "xml.dom.minidom", "xml.sax", "xml.dom.pulldom", "xmlrpc.client"):
    try:
        if callable(parse):
            parse(billion_laughs())
        elif parse == "xmlrpc.client":
            import xmlrpc.client
            xmlrpc.client.loads(billion_laughs())
        elif parse == "xml.dom.pulldom":
            import xml.dom.pulldom
            for _ in xml.dom.pulldom.parseString(billion_laughs().decode()):
                pass
        elif parse == "xml.sax":
            import xml.sax
            xml.sax.parseString(billion_laughs(), xml.sax.ContentHandler())
        else:
            __import__(parse)
            sys.modules[parse].parseString(billion_laughs())
        print("parsed")
    except ImportError:
        print("blocked")
    except Exception as exc:
        print(type(exc).__name__)
"""


@pytest.mark.parametrize(
    ("before", "block", "expected"),
    [
        # a forked worker, nothing loaded yet: ElementTree defused, the parsers a worker
        # never uses blocked
        ("", True, ["EntitiesForbidden", "blocked", "blocked", "blocked", "blocked"]),
        # a worker started fresh (it imports what it runs afterwards): all defused
        ("", False, ["EntitiesForbidden"] * 5),
        # a parser the parent already loaded cannot be blocked: all are defused
        ("import xml.dom.minidom", True, ["EntitiesForbidden"] * 5),
    ],
)
def test_no_stdlib_xml_parser_in_a_worker_expands_entities(
    before: str, block: bool, expected: list[str]
) -> None:
    probe = DEFUSE_PROBE.format(before=before, block=block, bomb=billion_laughs())
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.split() == expected, out.stderr


def test_inspect_corpus_in_workers(corpus: Corpus, results: dict[str, IntakeResult]) -> None:
    names = sorted(corpus.expected)
    out = isolated_map(inspect_file, [corpus[n] for n in names], Limits())
    assert [r.codes for r in out if isinstance(r, IntakeResult)] == [
        results[n].codes for n in names
    ]


# --------------------------------------------------------------------------- DTD scan


@pytest.mark.parametrize(
    ("part", "declares"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>', True),
        # a comment that looks like a root element must not end the prolog early
        (b"<?xml version='1.0'?><!-- <x --><!DOCTYPE r SYSTEM 'file:///etc/passwd'><r/>", True),
        (b"<?xml version='1.0'?>\r\n<?pi x?><!-- ghi chu --><!DOCTYPE r><r/>", True),
        (b"\xef\xbb\xbf<!DOCTYPE r><r/>", True),
        (b"<!-- <!DOCTYPE r> -->\n<r/>", True),  # mentioned in a comment: still refused
        ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r><r/>'.encode("utf-16"), True),
        # after the root element a DOCTYPE is not a declaration (parsers reject it)
        (b'<?xml version="1.0"?><r><c><![CDATA[<!DOCTYPE x [<!ENTITY y "z">]>]]></c></r>', False),
        (b"<?xml version=\"1.0\"?><r><f>'Ki\xe1\xbb\x83m tra'!A1</f></r>", False),
        (b"<?xml version='1.0'?><!-- unterminated", False),
        (b"", False),
    ],
)
def test_dtd_declarations_are_found_in_the_prolog(part: bytes, declares: bool) -> None:
    from xlsaddin.intake.inspect import _declares_dtd

    assert _declares_dtd(part) is declares


def test_parts_are_read_with_zipfile_checks(corpus: Corpus) -> None:
    """A part whose data disagrees with the directory (size, CRC, local name) is corrupt."""
    import io

    from xlsaddin.intake.inspect import _read_xml

    data = corpus["valid.xlsx"].read_bytes()
    zf = zipfile.ZipFile(io.BytesIO(data))
    first = zf.infolist()[0]
    assert _read_xml(zf, first, 10**9) == (None, zf.read(first))
    name_at = first.header_offset + 30
    renamed = bytearray(data)
    renamed[name_at] ^= 0x20  # the local header names another part than the directory
    flipped = bytearray(data)
    flipped[name_at + len(first.filename) + 5] ^= 0xFF  # damaged compressed data
    for broken in (bytes(renamed), bytes(flipped)):
        damaged = zipfile.ZipFile(io.BytesIO(broken))
        with pytest.raises((zipfile.BadZipFile, zlib.error)):
            _read_xml(damaged, damaged.infolist()[0], 10**9)
    assert inspect_file(corpus["zip_lying_size.xlsx"]).codes == ("file-corrupt",)


def test_a_file_that_grew_after_stat_is_read_whole_or_refused(tmp_path: Path) -> None:
    from xlsaddin.intake.inspect import _read_capped

    path = tmp_path / "dang_ghi.xlsx"
    path.write_bytes(b"x" * 100)
    assert _read_capped(path, Limits(max_file_bytes=1000), size=10) == b"x" * 100
    assert _read_capped(path, Limits(max_file_bytes=50), size=10) is None
    assert _read_capped(path, Limits(max_file_bytes=100), size=100) == b"x" * 100


def _may_reach_out_by_pieces(data: bytes) -> bool:
    """The pre-filter as it was before it was made faster (split at every bracket)."""
    from xlsaddin.intake.parts import _OUTWARD_HINTS, _OUTWARD_TAILS

    if any(h in data for h in _OUTWARD_HINTS):
        return True
    pieces = data.split(b"(")
    return any(p[-3:].upper() in _OUTWARD_TAILS for p in pieces[:-1])


_FORMULA_BYTES = st.lists(
    st.sampled_from(
        [b"(", b")", b",", b".", b"'", b"!", b"&gt;", b" ", b"<f>", b"</f>", b"A1", b"\xe1\xbb\x87"]
        + [f.encode() for f in ("IF", "AND", "SUM", "LEN", "TRIM", "ISNUMBER")]
        + [f.encode() for f in OUTWARD_FUNCTIONS]
        + [f.lower().encode() for f in OUTWARD_FUNCTIONS]
        + [f.title().encode() for f in OUTWARD_FUNCTIONS]
        + [b"ice", b"iCe", b"Xml", b".iD", b"ORy"]
    ),
    max_size=40,
).map(b"".join)


@given(_FORMULA_BYTES)
@settings(max_examples=400, deadline=None)
def test_the_outward_prefilter_never_misses_what_the_old_one_saw(data: bytes) -> None:
    from xlsaddin.intake.parts import _may_reach_out

    if _may_reach_out_by_pieces(data):
        assert _may_reach_out(data)


def test_the_packages_export_their_heavy_names_on_first_use() -> None:
    """``xlsaddin.intake`` and ``xlsaddin.read`` (core/lazy.py): every exported name
    resolves to the object of its module; an unknown name is an AttributeError."""
    import xlsaddin.intake as intake
    import xlsaddin.read as read
    from xlsaddin.intake import inspect as inspect_module
    from xlsaddin.intake import worker
    from xlsaddin.read import workbook

    assert intake.inspect_file is inspect_module.inspect_file
    assert intake.isolated_map is worker.isolated_map
    assert read.read_file is workbook.read_file
    assert all(getattr(intake, name) is not None for name in intake.__all__)
    assert all(getattr(read, name) is not None for name in read.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = intake.nothing  # type: ignore[attr-defined]
