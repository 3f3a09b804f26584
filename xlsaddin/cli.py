"""Command line: thin commands over the core (``xlsaddin --help``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from xlsaddin import __version__
from xlsaddin.core.failures import check_writable_folder, output_error
from xlsaddin.core.untrusted import markup as shown
from xlsaddin.crash import guarded
from xlsaddin.crash import run as run_guarded
from xlsaddin.spec import Mappings, SpecError, load_mappings
from xlsaddin.units import Unit, by_code, load_units

app = typer.Typer(
    help="xlsaddin — biểu mẫu, kiểm tra và tổng hợp báo cáo của 96 xã, phường, đặc khu.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(emoji=False)  # ":name:" in a file's text stays text (and no emoji table import)
err = Console(stderr=True, emoji=False)

MappingsOpt = Annotated[
    Path | None,
    typer.Option("--mappings", help="Thư mục cấu hình (mặc định: mappings/ của dự án)."),
]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", help="Mã kỳ báo cáo trong project.yaml, ví dụ 2025-q4.")
]


def _load(root: Path | None) -> Mappings:
    try:
        return load_mappings(root)
    except SpecError as exc:
        err.print(f"[red]{shown(exc)}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None


def _period(mappings: Mappings, period: str | None) -> str:
    try:
        return mappings.project.period(period).id
    except KeyError as exc:
        err.print(f"[red]{shown(exc.args[0])}[/red]")
        raise typer.Exit(2) from None


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        auto_refresh=False,  # no refresh thread: worker processes can then be forked safely
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
            bar.refresh()

        yield update


def _units(spec: str) -> list[Unit]:
    if spec == "all":
        return list(load_units())
    try:
        return [by_code(int(part)) for part in spec.split(",")]
    except (KeyError, ValueError):
        err.print(f"[red]Mã đơn vị không hợp lệ: {shown(spec)} (dùng mã 5 chữ số hoặc 'all')[/red]")
        raise typer.Exit(2) from None


@app.command()
@guarded
def build(
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi biểu mẫu.")] = Path("workbooks"),
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", help="Mã đơn vị (vd 21484), nhiều mã cách nhau dấu phẩy, hoặc 'all'."
        ),
    ] = None,
    period: PeriodOpt = None,
    check: Annotated[
        bool,
        typer.Option("--check", help="Chỉ kiểm tra biểu mẫu trong --out có khớp cấu hình không."),
    ] = False,
    mappings_dir: MappingsOpt = None,
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
            raise typer.Exit(1)
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


@app.command()
@guarded
def demo(
    out: Annotated[Path, typer.Option("--out", help="Thư mục ghi dữ liệu mẫu.")] = Path(
        "xlsaddin-demo"
    ),
    period: PeriodOpt = None,
    mappings_dir: MappingsOpt = None,
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
        raise typer.Exit(2) from None


@app.command()
@guarded
def validate(
    files: Annotated[list[Path], typer.Argument(help="Tệp hoặc thư mục cần kiểm tra.")],
    closing_date: Annotated[
        str | None,
        typer.Option(
            "--closing-date", help="Ngày chốt số liệu YYYY-MM-DD (mặc định: ngày ghi trong biểu)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
    annotate_dir: Annotated[
        Path | None,
        typer.Option("--annotate", help="Ghi bản sao có tô màu và ghi chú lỗi vào thư mục này."),
    ] = None,
    detail: Annotated[bool, typer.Option("--chi-tiet", help="Liệt kê cả cảnh báo.")] = False,
    mappings_dir: MappingsOpt = None,
) -> None:
    """Kiểm tra tệp báo cáo. Mã thoát: 0 không lỗi, 1 có lỗi, 2 có tệp không đọc được."""
    from xlsaddin.validate.annotate import annotate_all
    from xlsaddin.validate.render import dumps, print_validation
    from xlsaddin.validate.run import validate_paths

    mappings = _load(mappings_dir)
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        err.print(f"[red]Không tìm thấy: {shown(', '.join(missing))}[/red]")
        raise typer.Exit(2)
    if annotate_dir is not None:  # before the run: not one line per file after it
        check_writable_folder(annotate_dir)
    with _progress("Đang kiểm tra") as update:
        result = validate_paths(files, mappings, closing_date=_date(closing_date), progress=update)
    if not result.files:
        err.print(
            "[yellow]Không có tệp Excel (.xlsx) nào để kiểm tra trong "
            + shown(", ".join(str(f) for f in files))
            + ".[/yellow]",
            soft_wrap=True,
        )
    if as_json:
        typer.echo(dumps(result))
    else:
        print_validation(result, console, detail=detail or len(result.files) <= 3)
    if annotate_dir is not None:
        copies = annotate_all(result.files, annotate_dir)
        for failed in (c for c in copies if c.target is None):
            err.print(
                f"[yellow]Không tạo được bản sao có đánh dấu cho {shown(failed.name)}: "
                f"{shown(failed.reason)}.[/yellow]"
            )
        if not as_json:
            written = sum(c.target is not None for c in copies)
            console.print(f"Đã ghi {written} bản sao có đánh dấu lỗi vào {shown(annotate_dir)}")
    if any(f.rejected for f in result.files):
        raise typer.Exit(2)
    if not result.report.valid:
        raise typer.Exit(1)


@app.command()
@guarded
def consolidate(
    inboxes: Annotated[list[Path], typer.Argument(help="Thư mục (hoặc tệp) các xã gửi về.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Tệp tổng hợp cấp tỉnh (.xlsx).")
    ] = None,
    period: PeriodOpt = None,
    closing_date: Annotated[
        str | None, typer.Option("--closing-date", help="Ngày chốt số liệu YYYY-MM-DD.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Ghi báo cáo JSON vào tệp này.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ in tình hình và lỗi, không ghi gì.")
    ] = False,
    history: Annotated[
        str | None,
        typer.Option("--history", help="Tệp lịch sử SQLite (đường dẫn tệp, không nhận URL)."),
    ] = None,
    audit_log: Annotated[
        Path | None, typer.Option("--audit-log", help="Nhật ký kiểm toán (JSON lines).")
    ] = None,
    mappings_dir: MappingsOpt = None,
) -> None:
    """Tổng hợp báo cáo của 96 xã, phường, đặc khu thành bảng cấp tỉnh."""
    from xlsaddin.consolidate.render import print_headlines, print_summary
    from xlsaddin.pipeline import Outputs, run_consolidation

    mappings = _load(mappings_dir)
    period_id = _period(mappings, period)
    if out is None and not dry_run:
        err.print("[red]Cần --out TỆP.xlsx (hoặc --dry-run để chỉ xem tình hình).[/red]")
        raise typer.Exit(2)
    missing = [str(p) for p in inboxes if not p.exists()]
    if missing:
        err.print(f"[red]Không tìm thấy: {shown(', '.join(missing))}[/red]")
        raise typer.Exit(2)
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


@app.command()
@guarded
def report(
    workbook: Annotated[Path, typer.Argument(help="Tệp tổng hợp cấp tỉnh (do 'consolidate' tạo).")],
    docx: Annotated[Path, typer.Option("--docx", help="Tệp báo cáo Word cần tạo.")],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="Ghi thêm các bảng số liệu dạng in (.xlsx).")
    ] = None,
    signer: Annotated[
        str | None, typer.Option("--signer", help="Họ tên người ký (thay signer_name).")
    ] = None,
    request: Annotated[
        str | None,
        typer.Option(
            "--request",
            help='Văn bản yêu cầu báo cáo, ví dụ "Công văn số 2045-CV/TU ngày 05/9/2025 của '
            'Ban Thường vụ Tỉnh ủy" (thay request).',
        ),
    ] = None,
    report_date: Annotated[
        str | None, typer.Option("--date", help="Ngày báo cáo YYYY-MM-DD (thay report_date).")
    ] = None,
    mappings_dir: MappingsOpt = None,
) -> None:
    """Lập báo cáo Word (bảng, câu văn, biểu đồ) từ tệp tổng hợp cấp tỉnh."""
    from xlsaddin.report import make_report
    from xlsaddin.report.build import ReportOptions
    from xlsaddin.report.source import NotAProvincialWorkbook

    mappings = _load(mappings_dir)
    if not workbook.is_file():
        err.print(f"[red]Không tìm thấy: {shown(workbook)}[/red]")
        raise typer.Exit(2)
    options = ReportOptions(signer_name=signer, request=request, report_date=_date(report_date))
    try:
        result = make_report(workbook, mappings, docx, xlsx, options)
    except NotAProvincialWorkbook as exc:
        err.print(
            f"[red]{shown(workbook)} không phải tệp tổng hợp do xlsaddin tạo "
            f"(thiếu trang {shown(exc)}).[/red]"
        )
        raise typer.Exit(2) from None
    except SpecError as exc:
        err.print(f"[red]{shown(exc)}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
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
        raise typer.Exit(1)


@app.command()
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
    raise typer.Exit(1)


mappings_app = typer.Typer(
    help="Cấu hình (mappings): chép ra để sửa, kiểm tra bản đã sửa.", no_args_is_help=True
)
app.add_typer(mappings_app, name="mappings")


@mappings_app.command("export")
@guarded
def mappings_export(
    target: Annotated[Path, typer.Argument(help="Thư mục mới để chép cấu hình vào.")],
) -> None:
    """Chép cấu hình mặc định ra một thư mục để cán bộ CNTT sửa."""
    import shutil

    from xlsaddin.spec import default_mappings_dir

    if target.exists() and any(target.iterdir()):
        err.print(f"Thư mục {target} đã có nội dung; chọn thư mục mới hoặc thư mục rỗng.")
        raise typer.Exit(2)
    try:
        shutil.copytree(default_mappings_dir(), target, dirs_exist_ok=True)
    except OSError as exc:  # read-only, full disk, a file in the way
        raise output_error(target, exc, "thư mục") from None
    console.print(f"Đã chép cấu hình vào {target}", markup=False)
    console.print(
        f"Dùng bằng: --mappings {target}  (hoặc đặt biến môi trường XLSADDIN_MAPPINGS)",
        markup=False,
    )


@mappings_app.command("check")
@guarded
def mappings_check(
    folder: Annotated[Path, typer.Argument(help="Thư mục cấu hình cần kiểm tra.")],
) -> None:
    """Kiểm tra một thư mục cấu hình: mỗi lỗi một dòng. Mã thoát 0 đúng, 2 có lỗi."""
    from xlsaddin.report.spec import check_report_spec
    from xlsaddin.spec.loader import check_mappings

    if not folder.is_dir():
        err.print(f"Không tìm thấy thư mục: {folder}", markup=False)
        raise typer.Exit(2)
    problems = [str(p) for p in check_mappings(folder)]
    problems += [str(p) for p in check_report_spec(folder)]
    for line in problems:
        err.print(line, markup=False, soft_wrap=True)
    if problems:
        err.print(f"{len(problems)} lỗi cấu hình.", markup=False)
        raise typer.Exit(2)
    console.print(f"Cấu hình {folder} hợp lệ.", markup=False)


@app.command()
@guarded
def version() -> None:
    """In phiên bản."""
    console.print(f"xlsaddin {__version__}")


def main() -> None:
    run_guarded(app)
