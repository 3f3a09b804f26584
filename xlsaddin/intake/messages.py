"""Issue codes of the intake step and their Vietnamese messages.

Every refusal of an incoming file is one of these codes (stable: scripts and
tests rely on them); the message tells the officer what to do about it.
"""

from __future__ import annotations

from pathlib import Path

from xlsaddin.core import codes
from xlsaddin.core.codes import Code
from xlsaddin.core.issues import Issue

SAVE_AS_XLSX = "hãy mở tệp bằng Excel, chọn Lưu thành .xlsx (Excel Workbook) rồi gửi lại"

MESSAGES: dict[Code, str] = {
    codes.FILE_UNREADABLE: (
        "Không đọc được tệp{detail}; hãy kiểm tra tệp còn tồn tại và có quyền đọc."
    ),
    codes.FILE_TOO_LARGE: (
        "Tệp quá lớn ({size}, tối đa {limit}); hãy xóa các trang tính, hình ảnh không cần "
        "thiết rồi gửi lại."
    ),
    codes.FILE_NOT_WORKBOOK: "Tệp không phải là bảng tính Excel .xlsx ({detail}); {advice}.",
    codes.FILE_UNSUPPORTED_FORMAT: (
        "Tệp là {detail}, hệ thống chưa đọc được định dạng này; {advice}."
    ),
    codes.FILE_CORRUPT: (
        "Tệp bị hỏng hoặc chưa tải về đầy đủ{detail}; hãy mở thử bằng Excel, lưu lại rồi gửi lại."
    ),
    codes.FILE_ENCRYPTED: "Tệp bị mã hóa bằng mật khẩu; hãy gỡ mật khẩu rồi gửi lại.",
    codes.FILE_LEGACY_XLS: (
        "Tệp ở định dạng Excel cũ (.xls, Excel 97–2003), hệ thống không nhận định dạng này; "
        f"{SAVE_AS_XLSX}."
    ),
    codes.FILE_TOO_MANY_PARTS: (
        "Tệp có quá nhiều thành phần bên trong ({count}, tối đa {limit}); tệp bị hỏng hoặc "
        "không phải báo cáo thông thường, hãy lưu lại báo cáo thành tệp .xlsx mới rồi gửi lại."
    ),
    codes.FILE_ZIP_BOMB: (
        "Dữ liệu nén trong tệp bất thường ({detail}); tệp bị từ chối để tránh làm treo hệ "
        "thống, hãy lưu lại báo cáo thành tệp .xlsx mới rồi gửi lại."
    ),
    codes.FILE_HAS_MACROS: (
        "Tệp có chứa macro (VBA hoặc macro Excel 4.0); hệ thống không mở tệp có macro. "
        "Hãy chọn Lưu thành .xlsx (Excel Workbook, không có macro) rồi gửi lại."
    ),
    codes.FILE_HAS_EMBEDDED_OBJECTS: (
        "Tệp có nhúng đối tượng khác (tệp Word, PDF, đối tượng OLE…); hãy xóa các đối tượng "
        "nhúng, lưu lại rồi gửi lại."
    ),
    codes.FILE_HAS_ACTIVEX: (
        "Tệp có chứa điều khiển ActiveX (nút bấm, hộp chọn…); hãy xóa các điều khiển này, "
        "lưu lại rồi gửi lại."
    ),
    codes.FILE_HAS_EXTERNAL_LINKS: (
        "Tệp có liên kết tới tệp khác (liên kết ngoài); hãy vào Dữ liệu > Sửa liên kết > "
        "Ngắt liên kết (Data > Edit Links > Break Link), lưu lại rồi gửi lại."
    ),
    codes.FILE_HAS_DATA_CONNECTIONS: (
        "Tệp có kết nối dữ liệu ngoài (Data Connections, Power Query); hãy xóa các kết nối "
        "(Dữ liệu > Truy vấn & Kết nối), lưu lại rồi gửi lại."
    ),
    codes.FILE_XML_ENTITIES: (
        "Tệp có khai báo DTD/thực thể XML ({part}), điều không có trong tệp Excel thông "
        "thường; tệp bị từ chối vì lý do an toàn, hãy lưu lại báo cáo bằng Excel rồi gửi lại."
    ),
    codes.FILE_HUGE_DIMENSION: (
        "Trang tính {sheet} có vùng dữ liệu quá lớn ({ref}, khoảng {cells} ô; tối đa "
        "{limit} ô); hãy xóa các hàng, cột thừa phía dưới và bên phải vùng báo cáo, lưu lại rồi "
        "gửi lại."
    ),
    codes.FILE_DUPLICATE_PARTS: (
        "Tệp có hai thành phần trùng tên ({part}; chỉ khác chữ hoa, chữ thường hoặc dấu gạch), "
        "nên các chương trình đọc có thể thấy hai nội dung khác nhau; tệp bị từ chối, "
        f"{SAVE_AS_XLSX}."
    ),
    codes.FILE_DUPLICATE_CELLS: (
        "Trang tính {sheet} ghi ô {cell} hai lần, không biết giá trị nào đúng; tệp bị từ chối, "
        f"{SAVE_AS_XLSX}."
    ),
    codes.FILE_HAS_EXTERNAL_FORMULAS: (
        "{where} có công thức {why} ({formula}); hệ thống không nhận công thức lấy dữ liệu "
        "hoặc chạy lệnh ngoài tệp. Hãy thay công thức bằng giá trị (Sao chép > Dán giá trị), "
        "lưu lại rồi gửi lại."
    ),
    codes.INBOX_FOLDER_UNREADABLE: (
        "Không mở được thư mục {folder} trong hộp thư ({detail}); các tệp trong đó chưa được "
        "kiểm tra. Hãy cấp quyền đọc thư mục (hoặc chép các tệp ra thư mục khác) rồi chạy lại."
    ),
    codes.INBOX_SPECIAL_FILE: (
        "Mục {name} trong hộp thư không phải tệp thông thường ({detail}) nên không được đọc; "
        "hãy xóa mục này và lưu tệp báo cáo thật vào hộp thư."
    ),
    codes.INBOX_BROKEN_LINK: (
        "{name} là lối tắt (liên kết) tới tệp không còn tồn tại; hãy chép tệp báo cáo thật "
        "vào hộp thư thay cho lối tắt."
    ),
    codes.INBOX_LINK_OUTSIDE: (
        "{name} là lối tắt (liên kết) trỏ ra ngoài hộp thư nên không được đọc; hãy chép tệp "
        "báo cáo thật vào hộp thư thay cho lối tắt."
    ),
}
"""Message template per code (``str.format`` fields vary by code)."""


def issue(code: Code, path: Path, *, value: str | None = None, **fields: str) -> Issue:
    """An Issue for ``path`` with the code's Vietnamese message."""
    return Issue.of(code, MESSAGES[code].format(**fields), file=str(path), value=value)


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
