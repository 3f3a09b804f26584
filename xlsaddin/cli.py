"""Command line: thin commands over the core (``xlsaddin --help``).

The parser is the standard library's argparse, in Vietnamese (help, usage and its
errors), built only when a command runs. It replaced typer, which printed English help
and cost every command about 60 ms of start-up (docs/performance.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console

from xlsaddin import __version__
from xlsaddin.core.failures import check_writable_folder, output_error
from xlsaddin.core.untrusted import markup as shown
from xlsaddin.crash import EXIT_REFUSED, Exit, guarded, leave
from xlsaddin.crash import run as run_guarded
from xlsaddin.spec import Mappings, SpecError, load_mappings
from xlsaddin.units import Unit, by_code, load_units


class _Console(Console):
    """rich's console, ending as every other output does when its reader has gone.

    rich's own handler (``on_broken_pipe``, made to be overridden) exits with 1, and sends
    stdout to /dev/null even when it is stderr's reader that left. Here stdout's reader
    gone is a BrokenPipeError (``crash``: exit 141, nothing more printed), and stderr's
    only silences the messages: stdout and the command go on."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        if not self.stderr:
            raise BrokenPipeError(errno.EPIPE, "stdout closed")


# emoji=False: ":name:" in a file's text stays text (and no emoji table import);
# soft_wrap: a long path is never cut into two lines (piped into a log, copied and pasted)
console = _Console(emoji=False, soft_wrap=True)
err = _Console(stderr=True, emoji=False, soft_wrap=True)


def _load(root: Path | None) -> Mappings:
    try:
        return load_mappings(root)
    except SpecError as exc:
        err.print(f"[red]{shown(exc)}[/red]", soft_wrap=True)
        raise Exit(2) from None


def _period(mappings: Mappings, period: str | None) -> str:
    try:
        return mappings.project.period(period).id
    except KeyError as exc:
        err.print(f"[red]{shown(exc.args[0])}[/red]")
        raise Exit(2) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr, shown once there are two items or more (one
    file is checked before a bar could be read); rich.progress is imported only then."""
    bar: Any = None
    task: Any = None

    def update(done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            if total < 2 or not err.is_terminal:  # piped: no bar, no blank lines
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            bar = Progress(
                TextColumn("{task.description}", markup=False),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                auto_refresh=False,  # no refresh thread: worker processes can then be forked
            )
            bar.start()
            task = bar.add_task(label, total=total)
        bar.update(task, completed=done, total=total)
        bar.refresh()

    try:
        yield update
    finally:
        if bar is not None:
            bar.stop()


def _units(spec: str) -> list[Unit]:
    if spec.strip().lower() == "all":
        return list(load_units())
    units = []
    for part in spec.split(","):
        try:
            code = int(part.strip())
        except ValueError:
            err.print(
                f"[red]Mã đơn vị không hợp lệ: {shown(part)} "
                "(dùng mã 5 chữ số, nhiều mã cách nhau dấu phẩy, hoặc 'all')[/red]"
            )
            raise Exit(2) from None
        try:
            units.append(by_code(code))
        except KeyError:
            err.print(
                f"[red]Mã đơn vị không hợp lệ: {code} (không có xã, phường, đặc khu nào "
                "mang mã này trong tỉnh)[/red]"
            )
            raise Exit(2) from None
    return units


@guarded
def build(
    *,
    out: Path = Path("workbooks"),
    unit: str | None = None,
    period: str | None = None,
    check: bool = False,
    mappings_dir: Path | None = None,
) -> None:
    """Tạo biểu mẫu chuẩn (một tệp mỗi phụ lục) từ cấu hình mappings/."""
    from xlsaddin.forms import build_templates, build_unit_copies
    from xlsaddin.forms.check import check_templates

    mappings = _load(mappings_dir)
    period_id = _period(mappings, period)
    if check:
        stale = check_templates(mappings, out, period_id=period_id)
        for line in stale:
            err.print(f"[red]{shown(line)}[/red]", soft_wrap=True)
        if stale:
            err.print("Biểu mẫu chưa cập nhật: chạy lại 'xlsaddin build'.")
            raise Exit(1)
        console.print(f"Biểu mẫu trong {shown(out)} khớp với cấu hình.")
        return
    with _progress("Đang tạo biểu mẫu") as update:
        if unit is None:
            result = build_templates(mappings, out, period_id=period_id, progress=update)
        else:
            result = build_unit_copies(
                mappings, out, _units(unit), period_id=period_id, progress=update
            )
    console.print(f"Đã tạo {len(result.paths)} tệp trong [bold]{shown(out)}[/bold]")
    if len(result.paths) <= 8:
        for path in result.paths:
            console.print(f"  {shown(path)}")


@guarded
def demo(
    *,
    out: Path = Path("xlsaddin-demo"),
    period: str | None = None,
    mappings_dir: Path | None = None,
) -> None:
    """Chạy thử toàn bộ: tạo biểu mẫu, 96 bộ báo cáo mẫu (có lỗi cố ý), tổng hợp cấp tỉnh."""
    from xlsaddin.consolidate.render import print_headlines, print_summary
    from xlsaddin.demo import run_demo
    from xlsaddin.pipeline import Outputs, run_consolidation

    mappings = _load(mappings_dir)
    period_id = _period(mappings, period)
    try:
        with _progress("Đang tạo dữ liệu mẫu") as update:
            result = run_demo(mappings, out, period_id=period_id, progress=update)
    except OSError as exc:  # read-only, full disk, a file in the way
        raise output_error(out, exc, "thư mục") from None
    console.print(
        f"Biểu mẫu chuẩn: [bold]{shown(out / 'mau_bieu')}[/bold] ({len(result.templates)} tệp)"
    )
    console.print(
        f"Hộp thư đến (tệp các xã gửi về): [bold]{shown(result.inbox)}[/bold] "
        f"({len(result.files)} tệp)"
    )
    console.print(f"Danh sách lỗi cố ý trong dữ liệu mẫu: [bold]{shown(result.answer_key)}[/bold]")
    target = out / "tong_hop" / f"TongHop_{period_id}.xlsx"
    outputs = Outputs(
        workbook=target,
        json=target.with_suffix(".json"),
        report_docx=target.with_name(f"BaoCao_{period_id}.docx"),
        report_xlsx=target.with_name(f"BangSoLieu_{period_id}.xlsx"),
    )
    with _progress("Đang tổng hợp") as update:
        run = run_consolidation(
            [result.inbox], mappings, outputs=outputs, period_id=period_id, progress=update
        )
    _reused(run.consolidation.reused)
    print_summary(run.consolidation, console)
    print_headlines(run.consolidation, console)
    assert run.published is not None and run.report is not None
    console.print(f"Bảng tổng hợp cấp tỉnh: [bold]{shown(run.published.workbook)}[/bold]")
    console.print(
        f"Báo cáo Word: [bold]{shown(run.report.docx)}[/bold] "
        f"(bảng số liệu: {shown(run.report.xlsx)})"
    )
    for line in run.report.built.warnings:
        console.print(f"[yellow]Cần điền trước khi ký: {shown(line)}[/yellow]", soft_wrap=True)
    for line in run.report.built.refused:
        err.print("[red]Không viết (số liệu không khớp):[/red] " + shown(line), soft_wrap=True)


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        err.print(
            f"[red]Ngày không hợp lệ: {shown(text)} (dùng dạng YYYY-MM-DD, ví dụ 2025-12-15)[/red]"
        )
        raise Exit(2) from None


@guarded
def validate(
    files: list[Path],
    *,
    closing_date: str | None = None,
    as_json: bool = False,
    annotate_dir: Path | None = None,
    detail: bool = False,
    mappings_dir: Path | None = None,
) -> None:
    """Kiểm tra tệp báo cáo. Mã thoát: 0 không lỗi, 1 có lỗi, 2 có tệp không đọc được
    hoặc không có tệp nào để kiểm tra."""
    from xlsaddin.validate.render import dumps, print_validation
    from xlsaddin.validate.run import validate_paths

    mappings = _load(mappings_dir)
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        err.print(f"[red]Không tìm thấy: {shown(', '.join(missing))}[/red]")
        raise Exit(2)
    closing = _date(closing_date)  # a wrong date is refused before anything is made
    if annotate_dir is not None:  # before the run: not one line per file after it
        check_writable_folder(annotate_dir)
    with _progress("Đang kiểm tra") as update:
        result = validate_paths(files, mappings, closing_date=closing, progress=update)
    _reused(result.reused)
    if not result.files:
        err.print(
            "[yellow]Không có tệp Excel (.xlsx) nào để kiểm tra trong "
            + shown(", ".join(str(f) for f in files))
            + ".[/yellow]",
            soft_wrap=True,
        )
    if as_json:
        print(dumps(result))
    else:
        print_validation(result, console, detail=detail or len(result.files) <= 3)
    if annotate_dir is not None:
        from xlsaddin.validate.annotate import annotate_all  # only for --annotate

        with _progress("Đang ghi bản sao có đánh dấu lỗi") as update:
            copies = annotate_all(result.files, annotate_dir, progress=update)
        for failed in (c for c in copies if c.target is None):
            err.print(
                f"[yellow]Không tạo được bản sao có đánh dấu cho {shown(failed.name)}: "
                f"{shown(failed.reason)}.[/yellow]"
            )
        if not as_json:
            written = sum(c.target is not None for c in copies)
            console.print(f"Đã ghi {written} bản sao có đánh dấu lỗi vào {shown(annotate_dir)}")
    if not result.files or any(f.rejected for f in result.files):  # nothing checked: 2
        raise Exit(2)
    if not result.report.valid:
        raise Exit(1)


def _reused(reused: int) -> None:
    """Say how many files were not read again (their outcome kept by an earlier run)."""
    if reused:
        err.print(
            f"Dùng lại kết quả đọc của {reused} tệp không đổi kể từ lần chạy trước; "
            "các tệp mới hoặc đã sửa được đọc lại.",
            soft_wrap=True,
        )


@guarded
def consolidate(
    inboxes: list[Path],
    *,
    out: Path | None = None,
    period: str | None = None,
    closing_date: str | None = None,
    json_out: Path | None = None,
    dry_run: bool = False,
    history: str | None = None,
    audit_log: Path | None = None,
    mappings_dir: Path | None = None,
) -> None:
    """Tổng hợp báo cáo của 96 xã, phường, đặc khu thành bảng cấp tỉnh."""
    from xlsaddin.consolidate.render import print_headlines, print_summary
    from xlsaddin.pipeline import Outputs, run_consolidation

    mappings = _load(mappings_dir)
    period_id = _period(mappings, period)
    if out is None and not dry_run:
        err.print("[red]Cần --out TỆP.xlsx (hoặc --dry-run để chỉ xem tình hình).[/red]")
        raise Exit(2)
    missing = [str(p) for p in inboxes if not p.exists()]
    if missing:
        err.print(f"[red]Không tìm thấy: {shown(', '.join(missing))}[/red]")
        raise Exit(2)
    outputs = (
        None
        if dry_run or out is None
        else Outputs(workbook=out, json=json_out, audit=audit_log, history=history)
    )
    with _progress("Đang đọc và kiểm tra tệp") as update:
        run = run_consolidation(
            inboxes,
            mappings,
            outputs=outputs,
            period_id=period_id,
            closing_date=_date(closing_date),
            progress=update,
        )
    _reused(run.consolidation.reused)
    print_summary(run.consolidation, console)
    print_headlines(run.consolidation, console)
    if not run.consolidation.submissions and not run.consolidation.rejected:
        err.print(
            "[yellow]Không có tệp Excel (.xlsx) nào trong "
            + shown(", ".join(str(i) for i in inboxes))
            + ": mọi đơn vị được tính là chưa nộp. Hãy kiểm tra đường dẫn hộp thư.[/yellow]",
            soft_wrap=True,
        )
    published = run.published
    if published is None:
        console.print("[bold]Chạy thử (--dry-run): không ghi tệp nào.[/bold]")
        return
    if published.note:
        console.print(
            f"[yellow]Không ghi đè {shown(out)} ({shown(published.note)}); "
            f"đã ghi sang {shown(published.workbook)}.[/yellow]"
        )
    console.print(f"Đã ghi bảng tổng hợp: [bold]{shown(published.workbook)}[/bold]")
    if published.json:
        console.print(f"Báo cáo JSON: {shown(published.json)}")


@guarded
def report(
    workbook: Path,
    *,
    docx: Path,
    xlsx: Path | None = None,
    signer: str | None = None,
    request: str | None = None,
    report_date: str | None = None,
    mappings_dir: Path | None = None,
) -> None:
    """Lập báo cáo Word (bảng, câu văn, biểu đồ) từ tệp tổng hợp cấp tỉnh."""
    from xlsaddin.report import make_report
    from xlsaddin.report.build import ReportOptions
    from xlsaddin.report.source import NotAProvincialWorkbook

    mappings = _load(mappings_dir)
    if not workbook.is_file():
        err.print(f"[red]Không tìm thấy: {shown(workbook)}[/red]")
        raise Exit(2)
    options = ReportOptions(signer_name=signer, request=request, report_date=_date(report_date))
    try:
        result = make_report(workbook, mappings, docx, xlsx, options)
    except NotAProvincialWorkbook as exc:
        err.print(
            f"[red]{shown(workbook)} không phải tệp tổng hợp do xlsaddin tạo "
            f"(thiếu trang {shown(exc)}).[/red]"
        )
        raise Exit(2) from None
    except SpecError as exc:
        err.print(f"[red]{shown(exc)}[/red]", soft_wrap=True)
        raise Exit(2) from None
    console.print(f"Đã lập báo cáo: [bold]{shown(result.docx)}[/bold]")
    if result.xlsx:
        console.print(f"Bảng số liệu dạng in: [bold]{shown(result.xlsx)}[/bold]")
    # sentences comparing with the previous period, when there is none: one line, not the
    # raw templates (the first run of a province always has no "kỳ trước")
    changes = [line for line in result.built.skipped if ":change}" in line]
    if changes:
        console.print(
            f"[yellow]Chưa có số liệu kỳ trước: bỏ {len(changes)} câu so sánh với kỳ trước."
            "[/yellow]",
            soft_wrap=True,
        )
    for line in result.built.skipped:
        if line not in changes:
            console.print(f"[yellow]Bỏ câu (thiếu số liệu): {shown(line)}[/yellow]", soft_wrap=True)
    for line in result.built.warnings:
        console.print(f"[yellow]Cần điền trước khi ký: {shown(line)}[/yellow]", soft_wrap=True)
    for line in result.built.refused:
        err.print("[red]Không viết (số liệu không khớp):[/red] " + shown(line), soft_wrap=True)
    if result.built.refused:
        raise Exit(1)


@guarded
def doctor() -> None:
    """Kiểm tra cài đặt và cho biết còn thiếu gì."""
    from xlsaddin.doctor import run_checks

    checks = run_checks()
    for check in checks:
        mark = (
            "[green]✓[/green]"
            if check.ok
            else ("[red]✗[/red]" if check.required else "[yellow]![/yellow]")
        )
        console.print(f"{mark} {shown(check.label)}: {shown(check.detail)}", soft_wrap=True)
    if all(c.ok for c in checks if c.required):
        console.print("Mọi chức năng dòng lệnh sẵn sàng.")
        return
    raise Exit(1)


@guarded
def mappings_export(target: Path) -> None:
    """Chép cấu hình mặc định ra một thư mục để cán bộ CNTT sửa."""
    import shutil

    from xlsaddin.spec import default_mappings_dir

    if target.exists() and not target.is_dir():
        err.print(
            f"{target} là một tệp, không phải thư mục; chọn thư mục mới hoặc thư mục rỗng.",
            markup=False,
        )
        raise Exit(2)
    if target.exists() and any(target.iterdir()):
        err.print(f"Thư mục {target} đã có nội dung; chọn thư mục mới hoặc thư mục rỗng.")
        raise Exit(2)
    try:
        shutil.copytree(default_mappings_dir(), target, dirs_exist_ok=True)
    except OSError as exc:  # read-only, full disk, a file in the way
        raise output_error(target, exc, "thư mục") from None
    console.print(f"Đã chép cấu hình vào {target}", markup=False)
    shown_target = f'"{target}"' if any(c.isspace() for c in str(target)) else str(target)
    console.print(
        f"Dùng bằng: --mappings {shown_target}  (hoặc đặt biến môi trường XLSADDIN_MAPPINGS)",
        markup=False,
    )


@guarded
def mappings_check(folder: Path) -> None:
    """Kiểm tra một thư mục cấu hình: mỗi lỗi một dòng. Mã thoát 0 đúng, 2 có lỗi."""
    from xlsaddin.report.spec import check_report_spec
    from xlsaddin.spec.loader import check_mappings

    if not folder.is_dir():
        err.print(f"Không tìm thấy thư mục: {folder}", markup=False)
        raise Exit(2)
    problems = [str(p) for p in check_mappings(folder)]
    problems += [str(p) for p in check_report_spec(folder)]
    for line in problems:
        err.print(line, markup=False, soft_wrap=True)
    if problems:
        err.print(f"{len(problems)} lỗi cấu hình.", markup=False)
        raise Exit(2)
    console.print(f"Cấu hình {folder} hợp lệ.", markup=False)


@guarded
def version() -> None:
    """In phiên bản."""
    console.print(f"xlsaddin {__version__}")


# --------------------------------------------------------------------------- the parser

#: argparse's own error messages, in Vietnamese (Python 3.11–3.13 wordings).
_ARGPARSE_VI: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.+)", r"thiếu \1"),
    (r"unrecognized arguments: (.+)", r"không hiểu: \1"),
    (r"argument (.+?): expected one argument", r"\1 cần một giá trị"),
    (r"argument (.+?): expected at least one argument", r"\1 cần ít nhất một giá trị"),
    (r"argument (.+?): invalid choice: (.+?) \(choose from (.+)\)", r"không có \2; chọn: \3"),
    (r"argument (.+?): ignored explicit argument (.+)", r"\1 không nhận giá trị \2"),
    (r"argument (.+?): (.+)", r"\1: \2"),  # e.g. _path's own Vietnamese message
)


def _path(text: str) -> Path:
    """A path option's value; an empty one is refused (Path("") is the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("đường dẫn trống")
    return Path(text)


def _vietnamese(message: str) -> str:
    for pattern, text in _ARGPARSE_VI:
        if (match := re.fullmatch(pattern, message)) is not None:
            return match.expand(text)
    return message


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "Cách dùng: " if prefix is None else prefix)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        if isinstance(action, argparse._SubParsersAction):  # the commands, not "LỆNH" above them
            text = text.split("\n", 1)[1]
        return text


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks Vietnamese: usage, group titles, help, errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.update(add_help=False, allow_abbrev=False, formatter_class=_Formatter)
        super().__init__(*args, **kwargs)
        self.params = self.add_argument_group("Tham số")
        self.options = self.add_argument_group("Tùy chọn")
        self.options.add_argument("-h", "--help", action="help", help="In hướng dẫn này rồi thoát.")

    def error(self, message: str) -> Any:  # argparse's signature: NoReturn
        self.print_usage(sys.stderr)
        sys.stderr.write(
            f"{self.prog}: lỗi: {_vietnamese(message)}\nXem hướng dẫn: {self.prog} --help\n"
        )
        raise SystemExit(EXIT_REFUSED)


def _command(commands: Any, func: Callable[..., None], name: str | None = None) -> _Parser:
    """A sub-command whose help is the function's docstring."""
    doc = (func.__doc__ or "").strip()
    parser: _Parser = commands.add_parser(
        name or func.__name__, help=doc.splitlines()[0], description=doc
    )
    parser.set_defaults(func=func)
    return parser


def _mappings_option(parser: _Parser) -> None:
    parser.options.add_argument(
        "--mappings",
        dest="mappings_dir",
        type=_path,
        metavar="THƯ_MỤC",
        help="Thư mục cấu hình (mặc định: cấu hình đi kèm xlsaddin).",
    )


def _period_option(parser: _Parser) -> None:
    parser.options.add_argument(
        "--period", metavar="KỲ", help="Mã kỳ báo cáo trong project.yaml, ví dụ 2025-q4."
    )


def _parser() -> tuple[_Parser, dict[str, _Parser]]:
    root = _Parser(
        prog="xlsaddin",
        description="xlsaddin — biểu mẫu, kiểm tra và tổng hợp báo cáo của 96 xã, phường, đặc khu.",
        epilog="Mỗi lệnh có hướng dẫn riêng: xlsaddin LỆNH --help",
    )
    commands = root.add_subparsers(title="Lệnh", dest="command", metavar="LỆNH")

    cmd = _command(commands, build)
    cmd.options.add_argument(
        "--out",
        type=_path,
        default=Path("workbooks"),
        metavar="THƯ_MỤC",
        help="Thư mục ghi biểu mẫu (mặc định: workbooks).",
    )
    cmd.options.add_argument(
        "--unit",
        metavar="MÃ",
        help="Mã đơn vị (vd 21484), nhiều mã cách nhau dấu phẩy, hoặc 'all'.",
    )
    _period_option(cmd)
    cmd.options.add_argument(
        "--check",
        action="store_true",
        help="Chỉ kiểm tra biểu mẫu trong --out có khớp cấu hình không.",
    )
    _mappings_option(cmd)

    cmd = _command(commands, demo)
    cmd.options.add_argument(
        "--out",
        type=_path,
        default=Path("xlsaddin-demo"),
        metavar="THƯ_MỤC",
        help="Thư mục ghi dữ liệu mẫu (mặc định: xlsaddin-demo).",
    )
    _period_option(cmd)
    _mappings_option(cmd)

    cmd = _command(commands, validate)
    cmd.params.add_argument(
        "files", nargs="+", type=_path, metavar="TỆP", help="Tệp hoặc thư mục cần kiểm tra."
    )
    cmd.options.add_argument(
        "--closing-date",
        metavar="NGÀY",
        help="Ngày chốt số liệu YYYY-MM-DD (mặc định: ngày ghi trong biểu).",
    )
    cmd.options.add_argument(
        "--json", dest="as_json", action="store_true", help="In kết quả dạng JSON."
    )
    cmd.options.add_argument(
        "--annotate",
        dest="annotate_dir",
        type=_path,
        metavar="THƯ_MỤC",
        help="Ghi bản sao có tô màu và ghi chú lỗi vào thư mục này.",
    )
    cmd.options.add_argument(
        "--chi-tiet", dest="detail", action="store_true", help="Liệt kê cả cảnh báo."
    )
    _mappings_option(cmd)

    cmd = _command(commands, consolidate)
    cmd.params.add_argument(
        "inboxes",
        nargs="+",
        type=_path,
        metavar="HỘP_THƯ",
        help="Thư mục (hoặc tệp) các xã gửi về.",
    )
    cmd.options.add_argument(
        "--out", type=_path, metavar="TỆP", help="Tệp tổng hợp cấp tỉnh (.xlsx)."
    )
    _period_option(cmd)
    cmd.options.add_argument("--closing-date", metavar="NGÀY", help="Ngày chốt số liệu YYYY-MM-DD.")
    cmd.options.add_argument(
        "--json", dest="json_out", type=_path, metavar="TỆP", help="Ghi báo cáo JSON vào tệp này."
    )
    cmd.options.add_argument(
        "--dry-run", action="store_true", help="Chỉ in tình hình và lỗi, không ghi gì."
    )
    cmd.options.add_argument(
        "--history",
        metavar="TỆP",
        help="Tệp lịch sử SQLite (đường dẫn tệp, không nhận URL).",
    )
    cmd.options.add_argument(
        "--audit-log", type=_path, metavar="TỆP", help="Nhật ký kiểm toán (JSON lines)."
    )
    _mappings_option(cmd)

    cmd = _command(commands, report)
    cmd.params.add_argument(
        "workbook",
        type=_path,
        metavar="TỆP_TỔNG_HỢP",
        help="Tệp tổng hợp cấp tỉnh (do 'consolidate' tạo).",
    )
    cmd.options.add_argument(
        "--docx", type=_path, required=True, metavar="TỆP", help="Tệp báo cáo Word cần tạo."
    )
    cmd.options.add_argument(
        "--xlsx", type=_path, metavar="TỆP", help="Ghi thêm các bảng số liệu dạng in (.xlsx)."
    )
    cmd.options.add_argument(
        "--signer", metavar="HỌ_TÊN", help="Họ tên người ký (thay signer_name)."
    )
    cmd.options.add_argument(
        "--request",
        metavar="VĂN_BẢN",
        help='Văn bản yêu cầu báo cáo, ví dụ "Công văn số 2045-CV/TU ngày 05/9/2025 của '
        'Ban Thường vụ Tỉnh ủy" (thay request).',
    )
    cmd.options.add_argument(
        "--date",
        dest="report_date",
        metavar="NGÀY",
        help="Ngày báo cáo YYYY-MM-DD (thay report_date).",
    )
    _mappings_option(cmd)

    _command(commands, doctor)

    group = commands.add_parser(
        "mappings",
        help="Cấu hình (mappings): chép ra để sửa, kiểm tra bản đã sửa.",
        description="Cấu hình (mappings): chép ra để sửa, kiểm tra bản đã sửa.",
    )
    inner = group.add_subparsers(title="Lệnh", dest="mappings_command", metavar="LỆNH")
    cmd = _command(inner, mappings_export, "export")
    cmd.params.add_argument(
        "target", type=_path, metavar="THƯ_MỤC", help="Thư mục mới để chép cấu hình vào."
    )
    cmd = _command(inner, mappings_check, "check")
    cmd.params.add_argument(
        "folder", type=_path, metavar="THƯ_MỤC", help="Thư mục cấu hình cần kiểm tra."
    )
    group.set_defaults(func=None, help_of=group)

    _command(commands, version)
    root.set_defaults(func=None, help_of=root)
    named: dict[str, _Parser] = dict(commands.choices)
    named.update({f"mappings {name}": sub for name, sub in inner.choices.items()})
    return root, named


def _parse(words: list[str]) -> dict[str, Any]:
    """The command line's values; a usage error is printed by the parser of the command
    it concerns (its usage and its --help) and ends with SystemExit(2)."""
    parser, named = _parser()
    if words and words[0].startswith("-") and words[0] not in ("-h", "--help"):
        parser.error(f"tùy chọn {words[0]} đặt sau tên lệnh, ví dụ: xlsaddin validate {words[0]} …")
    args, extra = parser.parse_known_args(words)
    if extra:
        command = " ".join(
            str(part) for part in (args.command, getattr(args, "mappings_command", None)) if part
        )
        named.get(command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return vars(args)


def app(argv: Sequence[str] | None = None) -> int:
    """Run one command line (``sys.argv[1:]`` by default); its exit code."""
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as done:  # --help (0) or a usage error (2), already printed
        return done.code if isinstance(done.code, int) else EXIT_REFUSED
    func = args.pop("func")
    helped = args.pop("help_of")
    if func is None:  # "xlsaddin" or "xlsaddin mappings" alone: what can follow
        helped.print_help()
        return EXIT_REFUSED
    for key in ("command", "mappings_command"):
        args.pop(key, None)
    try:
        func(**args)
    except Exit as end:
        return end.code
    return 0


def main() -> None:
    run_guarded(lambda: leave(app()))
