"""``xlsaddin doctor``: check the installation and say what is missing, in Vietnamese."""

from __future__ import annotations

import platform
import re
import shutil
import sys
from dataclasses import dataclass
from importlib import metadata

from xlsaddin.core.resources import shipped
from xlsaddin.spec import SpecError, default_mappings_dir, load_mappings

MACROS = shipped("macros")


@dataclass(frozen=True)
class Check:
    ok: bool
    label: str
    detail: str
    required: bool = True


def _runtime_requirements() -> list[str]:
    """The distributions ``pyproject.toml`` declares as runtime dependencies (no extras)."""
    try:
        requires = metadata.requires("xlsaddin") or []
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return []
    return [
        re.split(r"[\s<>=!~;\[(]", r.strip(), maxsplit=1)[0]
        for r in requires
        if "extra ==" not in r
    ]


def _xlwings_bas_version() -> str | None:
    bas = MACROS / "xlwings.bas"
    if not bas.is_file():
        return None
    match = re.search(r"'Version: ([\d.]+)", bas.read_text(encoding="utf-8", errors="replace"))
    return match.group(1) if match else None


def run_checks(system: str | None = None) -> list[Check]:
    system = system or platform.system()
    checks = [
        Check(
            sys.version_info >= (3, 11), "Python", f"{platform.python_version()} (cần 3.11 trở lên)"
        )
    ]
    for name in _runtime_requirements():
        try:
            checks.append(Check(True, f"Thư viện {name}", metadata.version(name)))
        except metadata.PackageNotFoundError:
            checks.append(
                Check(False, f"Thư viện {name}", "chưa cài; chạy lại: pip install xlsaddin")
            )
    where = default_mappings_dir()
    label = f"Cấu hình ({where})"
    try:
        mappings = load_mappings(where)
        checks.append(
            Check(
                True,
                label,
                f"{len(mappings.appendices)} phụ lục, "
                f"kỳ mặc định {mappings.project.default_period}",
            )
        )
    except SpecError as exc:
        checks.append(Check(False, label, str(exc)))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    checks.append(
        Check(
            bool(office),
            "LibreOffice (không bắt buộc)",
            office or "không có: chỉ cần để tạo ảnh/PDF khi kiểm thử",
            required=False,
        )
    )
    try:
        import xlwings

        bas = _xlwings_bas_version()
        same = bas == xlwings.__version__
        checks.append(
            Check(
                same,
                "Mô-đun VBA xlwings trong macros/",
                f"xlwings.bas {bas}, gói xlwings {xlwings.__version__}"
                + ("" if same else ": hai phiên bản phải giống nhau"),
            )
        )
    except ImportError:
        pass
    if system in ("Windows", "Darwin"):
        checks.append(
            Check(
                True,
                "Nút bấm Excel",
                "máy có thể dùng nút bấm nếu đã cài Excel và chạy 'xlwings addin install'"
                " (xem docs/cai-dat-windows.md)",
                required=False,
            )
        )
    else:
        checks.append(
            Check(
                False,
                "Nút bấm Excel",
                f"cần Microsoft Excel trên Windows hoặc macOS; máy này là {system}. "
                "Mọi chức năng khác dùng được qua dòng lệnh xlsaddin.",
                required=False,
            )
        )
    return checks
