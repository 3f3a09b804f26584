"""Issue codes of the intake step and their Vietnamese messages.

Every refusal of an incoming file is one of these codes (stable: scripts and
tests rely on them); the message tells the officer what to do about it.
"""

from __future__ import annotations

from pathlib import Path

from xlsaddin.core.issues import Issue

SAVE_AS_XLSX = "hãy mở tệp bằng Excel, chọn Lưu thành .xlsx (Excel Workbook) rồi gửi lại"

MESSAGES: dict[str, str] = {
    "file-unreadable": (
        "Không đọc được tệp{detail}; hãy kiểm tra tệp còn tồn tại và có quyền đọc."
    ),
    "file-too-large": (
        "Tệp quá lớn ({size}, tối đa {limit}); hãy xóa các trang tính, hình ảnh không cần "
        "thiết rồi gửi lại."
    ),
    "file-not-workbook": "Tệp không phải là bảng tính Excel .xlsx ({detail}); {advice}.",
    "file-unsupported-format": "Tệp là {detail}, hệ thống chưa đọc được định dạng này; {advice}.",
    "file-corrupt": (
        "Tệp bị hỏng hoặc chưa tải về đầy đủ{detail}; hãy mở thử bằng Excel, lưu lại rồi gửi lại."
    ),
    "file-encrypted": "Tệp bị mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi gửi lại.",
    "file-legacy-xls": (
        "Tệp ở định dạng Excel cũ (.xls, Excel 97–2003), hệ thống không nhận định dạng này; "
        f"{SAVE_AS_XLSX}."
    ),
    "file-too-many-parts": (
        "Tệp có quá nhiều thành phần bên trong ({count}, tối đa {limit}); tệp bị hỏng hoặc "
        "không phải báo cáo thông thường, hãy lưu lại báo cáo thành tệp .xlsx mới rồi gửi lại."
    ),
    "file-zip-bomb": (
        "Dữ liệu nén trong tệp bất thường ({detail}); tệp bị từ chối để tránh làm treo hệ "
        "thống, hãy lưu lại báo cáo thành tệp .xlsx mới rồi gửi lại."
    ),
    "file-has-macros": (
        "Tệp có chứa macro (VBA hoặc macro Excel 4.0); hệ thống không mở tệp có macro. "
        "Hãy chọn Lưu thành .xlsx (Excel Workbook, không có macro) rồi gửi lại."
    ),
    "file-has-embedded-objects": (
        "Tệp có nhúng đối tượng khác (tệp Word, PDF, đối tượng OLE…); hãy xóa các đối tượng "
        "nhúng, lưu lại rồi gửi lại."
    ),
    "file-has-activex": (
        "Tệp có chứa điều khiển ActiveX (nút bấm, hộp chọn…); hãy xóa các điều khiển này, "
        "lưu lại rồi gửi lại."
    ),
    "file-has-external-links": (
        "Tệp có liên kết tới tệp khác (liên kết ngoài); hãy vào Dữ liệu > Sửa liên kết > "
        "Ngắt liên kết (Data > Edit Links > Break Link), lưu lại rồi gửi lại."
    ),
    "file-has-data-connections": (
        "Tệp có kết nối dữ liệu ngoài (Data Connections, Power Query); hãy xóa các kết nối "
        "(Dữ liệu > Truy vấn & Kết nối), lưu lại rồi gửi lại."
    ),
    "file-xml-entities": (
        "Tệp có khai báo DTD/thực thể XML ({part}), điều không có trong tệp Excel thông "
        "thường; tệp bị từ chối vì lý do an toàn, hãy lưu lại báo cáo bằng Excel rồi gửi lại."
    ),
    "file-huge-dimension": (
        "Trang tính {sheet} khai báo vùng dữ liệu quá lớn ({ref}, khoảng {cells} ô; tối đa "
        "{limit} ô); hãy xóa các hàng, cột thừa phía dưới và bên phải vùng báo cáo, lưu lại rồi "
        "gửi lại."
    ),
}
"""Message template per code (``str.format`` fields vary by code)."""


def issue(code: str, path: Path, *, value: str | None = None, **fields: str) -> Issue:
    """An error Issue for ``path`` with the code's Vietnamese message."""
    return Issue(
        code=code,
        severity="error",
        message=MESSAGES[code].format(**fields),
        file=str(path),
        value=value,
    )


def vn_int(n: int) -> str:
    """An integer written the Vietnamese way: 17.179.869.184."""
    return f"{n:,}".replace(",", ".")


def vn_size(n: int) -> str:
    """A byte count in MB (or KB) for an officer: '25 MB', '312,5 MB'."""
    if n < 1024 * 1024:
        return f"{vn_int(max(1, round(n / 1024)))} KB"
    mb = n / (1024 * 1024)
    text = f"{mb:.0f}" if mb >= 100 or mb == int(mb) else f"{mb:.1f}".replace(".", ",")
    return f"{text} MB"
