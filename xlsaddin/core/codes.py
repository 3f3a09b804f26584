"""The catalogue of issue codes: every problem xlsaddin reports has one of these.

A code is stable (scripts, tests and the JSON reports rely on it), has one
severity, a short Vietnamese title, the commands that can emit it and what the
officer should do. Code elsewhere refers to the constants below, never to a
string literal (a test scans the package for stray literals), and
``docs/validation.md``'s table of codes is generated from :data:`CATALOGUE`
(``python -m xlsaddin.core.codes`` prints it; a test compares).

Rules declared in ``mappings/`` (``rules[].id``) are codes too: their severity
and message come from the YAML, and a rule id may not reuse a code of this
catalogue (checked when the mappings are loaded).

Modelled on frictionless' error classes and pandera's reason codes: a flat,
documented list rather than exception types.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Command = Literal["validate", "consolidate", "report"]
Group = Literal["intake", "read", "cell", "form", "convert", "submission", "run"]

VALIDATE: tuple[Command, ...] = ("validate", "consolidate")
CONSOLIDATE: tuple[Command, ...] = ("consolidate",)


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    group: Group
    title: str  # Vietnamese, a few words
    action: str  # Vietnamese: what the officer should do
    commands: tuple[Command, ...] = VALIDATE

    def __str__(self) -> str:
        return self.code


CATALOGUE: dict[str, Code] = {}

GROUP_TITLES: dict[Group, str] = {
    "intake": "Tệp bị từ chối khi nhận (trước khi đọc nội dung)",
    "read": "Đọc tệp",
    "cell": "Kiểm tra từng ô (sinh từ khai báo cột)",
    "form": "Kiểm tra toàn biểu (cũng có trên trang Kiểm tra của biểu mẫu)",
    "convert": "Giá trị được đọc lại (cảnh báo)",
    "submission": "Tình hình nộp báo cáo",
    "run": "Lần chạy",
}


def _code(
    code: str,
    severity: Severity,
    group: Group,
    title: str,
    action: str,
    commands: tuple[Command, ...] = VALIDATE,
) -> Code:
    if code in CATALOGUE:  # pragma: no cover - a programming error caught at import
        raise ValueError(f"duplicate issue code {code}")
    entry = Code(code, severity, group, title, action, commands)
    CATALOGUE[code] = entry
    return entry


# -- intake: the file is refused before anything parses it -----------------------------
_RESAVE = "Mở tệp bằng Excel, lưu lại thành .xlsx rồi gửi lại."
FILE_UNREADABLE = _code(
    "file-unreadable",
    "error",
    "intake",
    "Không đọc được tệp",
    "Kiểm tra tệp còn tồn tại, có quyền đọc; gửi lại tệp.",
)
FILE_TOO_LARGE = _code(
    "file-too-large",
    "error",
    "intake",
    "Tệp quá lớn",
    "Xóa trang tính, hình ảnh không cần thiết rồi gửi lại.",
)
FILE_NOT_WORKBOOK = _code(
    "file-not-workbook",
    "error",
    "intake",
    "Không phải bảng tính Excel",
    "Gửi đúng tệp báo cáo .xlsx.",
)
FILE_UNSUPPORTED_FORMAT = _code(
    "file-unsupported-format",
    "error",
    "intake",
    "Định dạng bảng tính chưa hỗ trợ (.xlsb, .ods)",
    _RESAVE,
)
FILE_CORRUPT = _code(
    "file-corrupt",
    "error",
    "intake",
    "Tệp hỏng hoặc tải về chưa đủ",
    _RESAVE,
)
FILE_ENCRYPTED = _code(
    "file-encrypted",
    "error",
    "intake",
    "Tệp có mật khẩu",
    "Gỡ mật khẩu rồi gửi lại.",
)
FILE_LEGACY_XLS = _code(
    "file-legacy-xls",
    "error",
    "intake",
    "Định dạng Excel cũ (.xls)",
    _RESAVE,
)
FILE_TOO_MANY_PARTS = _code(
    "file-too-many-parts",
    "error",
    "intake",
    "Quá nhiều thành phần bên trong tệp",
    "Lưu báo cáo thành tệp .xlsx mới rồi gửi lại.",
)
FILE_ZIP_BOMB = _code(
    "file-zip-bomb",
    "error",
    "intake",
    "Dữ liệu nén bất thường",
    "Lưu báo cáo thành tệp .xlsx mới rồi gửi lại.",
)
FILE_HAS_MACROS = _code(
    "file-has-macros",
    "error",
    "intake",
    "Tệp có macro",
    "Lưu thành .xlsx (Excel Workbook, không có macro) rồi gửi lại.",
)
FILE_HAS_EMBEDDED_OBJECTS = _code(
    "file-has-embedded-objects",
    "error",
    "intake",
    "Tệp có nhúng đối tượng (OLE)",
    "Xóa các đối tượng nhúng, lưu lại rồi gửi lại.",
)
FILE_HAS_ACTIVEX = _code(
    "file-has-activex",
    "error",
    "intake",
    "Tệp có điều khiển ActiveX",
    "Xóa các điều khiển, lưu lại rồi gửi lại.",
)
FILE_HAS_EXTERNAL_LINKS = _code(
    "file-has-external-links",
    "error",
    "intake",
    "Tệp có liên kết ngoài",
    "Dữ liệu > Sửa liên kết > Ngắt liên kết, lưu lại rồi gửi lại.",
)
FILE_HAS_DATA_CONNECTIONS = _code(
    "file-has-data-connections",
    "error",
    "intake",
    "Tệp có kết nối dữ liệu ngoài",
    "Xóa các kết nối (Dữ liệu > Truy vấn & Kết nối), lưu lại rồi gửi lại.",
)
FILE_XML_ENTITIES = _code(
    "file-xml-entities",
    "error",
    "intake",
    "Tệp có khai báo DTD/thực thể XML",
    "Lưu lại báo cáo bằng Excel rồi gửi lại.",
)
FILE_HUGE_DIMENSION = _code(
    "file-huge-dimension",
    "error",
    "intake",
    "Trang tính khai báo vùng dữ liệu quá lớn",
    "Xóa các hàng, cột thừa ngoài vùng báo cáo, lưu lại rồi gửi lại.",
)

FILE_DUPLICATE_PARTS = _code(
    "file-duplicate-parts",
    "error",
    "intake",
    "Hai thành phần trong tệp trùng tên",
    _RESAVE,
)
FILE_DUPLICATE_CELLS = _code(
    "file-duplicate-cells",
    "error",
    "intake",
    "Một ô được ghi hai lần trong trang tính",
    _RESAVE,
)
FILE_HAS_EXTERNAL_FORMULAS = _code(
    "file-has-external-formulas",
    "error",
    "intake",
    "Tệp có công thức DDE hoặc liên kết ra ngoài",
    "Thay công thức bằng giá trị (Sao chép > Dán giá trị), lưu lại rồi gửi lại.",
)

# -- the inbox folder: what is not a file that can be read --------------------------
INBOX_FOLDER_UNREADABLE = _code(
    "inbox-folder-unreadable",
    "error",
    "intake",
    "Không mở được thư mục trong hộp thư",
    "Cấp quyền đọc thư mục (hoặc chép các tệp ra thư mục khác) rồi chạy lại.",
)
INBOX_SPECIAL_FILE = _code(
    "inbox-special-file",
    "error",
    "intake",
    "Mục trong hộp thư không phải tệp thông thường",
    "Xóa mục này khỏi hộp thư; lưu tệp báo cáo thật vào đó.",
)
INBOX_BROKEN_LINK = _code(
    "inbox-broken-link",
    "error",
    "intake",
    "Lối tắt (liên kết) trỏ tới tệp không còn tồn tại",
    "Chép tệp báo cáo thật vào hộp thư thay cho lối tắt.",
)
INBOX_LINK_OUTSIDE = _code(
    "inbox-link-outside",
    "error",
    "intake",
    "Lối tắt (liên kết) trỏ ra ngoài hộp thư: không được đọc",
    "Chép tệp báo cáo thật vào hộp thư thay cho lối tắt.",
)

# -- reading the content -------------------------------------------------------------
LAYOUT_UNKNOWN = _code(
    "layout-unknown",
    "error",
    "read",
    "Không nhận ra mẫu bảng",
    "Dùng biểu mẫu chuẩn do tỉnh gửi.",
)
TEMPLATE_UNKNOWN = _code(
    "template-unknown",
    "error",
    "read",
    "Biểu mẫu không có trong cấu hình",
    "Dùng biểu mẫu chuẩn của kỳ báo cáo này.",
)
TEMPLATE_OUTDATED = _code(
    "template-outdated",
    "warning",
    "read",
    "Biểu mẫu phiên bản cũ",
    "Số liệu vẫn được đọc; lần sau dùng biểu mẫu mới.",
)
SHEET_MISSING = _code(
    "sheet-missing",
    "error",
    "read",
    "Thiếu trang dữ liệu",
    "Không đổi tên hay xóa trang của biểu mẫu; điền lại vào biểu mẫu chuẩn.",
)
LAYOUT_SHIFTED = _code(
    "layout-shifted",
    "error",
    "read",
    "Bảng bị lệch khỏi vị trí của biểu mẫu",
    "Không chèn hay xóa dòng, cột trong biểu mẫu; nhập lại vào biểu mẫu chuẩn rồi gửi lại.",
)
UNIT_UNKNOWN = _code(
    "unit-unknown",
    "error",
    "read",
    "Không xác định được đơn vị báo cáo",
    "Chọn tên xã, phường, đặc khu trong danh sách của biểu mẫu.",
)
ROW_BEYOND_CAPACITY = _code(
    "row-beyond-capacity",
    "error",
    "read",
    "Số liệu nhập ngoài các dòng của bảng",
    "Chỉ nhập trong các dòng của bảng (số liệu ngoài bảng không được tổng hợp); "
    "bảng không đủ dòng thì báo Sở để tăng số dòng của biểu mẫu.",
)
TOTAL_TYPED_MISMATCH = _code(
    "total-typed-mismatch",
    "warning",
    "read",
    "Số ở dòng tổng khác tổng các dòng",
    "Số tổng hợp được cộng từ các dòng, không lấy số ở dòng tổng; kiểm tra lại số liệu "
    "các dòng và giữ nguyên công thức cộng của biểu mẫu ở dòng tổng.",
)
TEXT_BELOW_TABLE = _code(
    "text-below-table",
    "warning",
    "read",
    "Có chữ ghi dưới bảng",
    "Nội dung ghi dưới bảng (không có số liệu) không được tổng hợp; nếu là một dòng của "
    "bảng thì nhập vào các dòng của bảng, nếu là ghi chú thì ghi vào cột Ghi chú.",
)
VALUE_OUTSIDE_TABLE = _code(
    "value-outside-table",
    "warning",
    "read",
    "Có nội dung ngoài các cột của bảng",
    "Nội dung ngoài các cột của bảng không được tổng hợp; ghi vào cột Ghi chú của bảng "
    "hoặc báo cáo riêng.",
)
ROW_NOT_READ = _code(
    "row-not-read",
    "warning",
    "read",
    "Dòng không được đọc là một mục của bảng",
    "Kiểm tra dòng được chỉ ra: nếu là một mục (nhiệm vụ) thì ghi đủ tên và các cột.",
)
ISOLATION_UNAVAILABLE = _code(
    "isolation-unavailable",
    "warning",
    "run",
    "Không chạy được tiến trình đọc riêng",
    "Báo cán bộ CNTT (chạy 'xlsaddin doctor').",
)
CLOSING_DATE_ASSUMED = _code(
    "closing-date-assumed",
    "warning",
    "read",
    "Tệp không ghi ngày chốt số liệu",
    "Dùng --closing-date nếu kỳ báo cáo mặc định không đúng.",
)

# -- built-in cell checks (one per input cell, derived from the column declaration) ----
REQUIRED_MISSING = _code(
    "required-missing",
    "error",
    "cell",
    "Chưa nhập ô bắt buộc",
    "Nhập số liệu vào ô được chỉ ra.",
)
NUMBER_AS_TEXT = _code(
    "number-as-text",
    "error",
    "cell",
    "Số gõ dạng chữ",
    "Gõ lại dạng số (không gõ dấu chấm phân cách hàng nghìn).",
)
NUMBER_OUT_OF_RANGE = _code(
    "number-out-of-range",
    "error",
    "cell",
    "Số ngoài giới hạn",
    "Kiểm tra lại số liệu.",
)
NUMBER_NOT_INTEGER = _code(
    "number-not-integer",
    "error",
    "cell",
    "Phải là số nguyên",
    "Nhập số nguyên.",
)
NUMBER_NOT_FINITE = _code(
    "number-not-finite",
    "error",
    "cell",
    "Ô chứa giá trị số không hợp lệ (NaN, vô cực)",
    "Nhập lại số liệu vào ô được chỉ ra.",
)
NUMBER_TOO_LARGE = _code(
    "number-too-large",
    "error",
    "cell",
    "Số lớn bất thường (từ 10^15 trở lên)",
    "Kiểm tra lại số liệu và đơn vị tính.",
)
NUMBER_TOO_LONG = _code(
    "number-too-long",
    "error",
    "cell",
    "Số gõ dạng chữ quá dài",
    "Gõ lại số liệu dạng số (tối đa 20 chữ số).",
)
DATE_AS_TEXT = _code(
    "date-as-text",
    "error",
    "cell",
    "Ngày gõ dạng chữ",
    "Nhập ngày dạng ngày/tháng/năm trong ô định dạng ngày.",
)
DATE_OUT_OF_RANGE = _code(
    "date-out-of-range",
    "error",
    "cell",
    "Ngày không hợp lệ",
    "Nhập ngày từ năm 2000 đến 2100.",
)
CHOICE_INVALID = _code(
    "choice-invalid",
    "error",
    "cell",
    "Giá trị không có trong danh sách chọn",
    "Chọn giá trị trong danh sách.",
)

# -- checks of the whole form (also live on the workbook's check sheet) -----------------
TABLE_EMPTY = _code(
    "table-empty",
    "warning",
    "form",
    "Bảng chưa có dòng nào (ví dụ chưa có nhiệm vụ nào)",
    "Nếu kỳ này không có nội dung thì vẫn gửi được; nếu có, nhập vào bảng.",
)

# -- values read back for consolidation (warnings) --------------------------------------
NUMBER_TEXT_CONVERTED = _code(
    "number-text-converted",
    "warning",
    "convert",
    "Số gõ dạng chữ đã được đọc lại",
    "Kiểm tra số đọc được; lần sau gõ dạng số.",
)
DATE_TEXT_CONVERTED = _code(
    "date-text-converted",
    "warning",
    "convert",
    "Ngày gõ dạng chữ đã được đọc lại",
    "Kiểm tra ngày đọc được; lần sau nhập dạng ngày.",
)
CHOICE_SYNONYM = _code(
    "choice-synonym",
    "warning",
    "convert",
    "Giá trị viết khác mẫu đã được quy đổi",
    "Kiểm tra giá trị quy đổi; lần sau chọn trong danh sách.",
)
TEXT_LEGACY_CONVERTED = _code(
    "text-legacy-converted",
    "warning",
    "convert",
    "Chữ gõ bằng bảng mã cũ (TCVN3/VNI)",
    "Gõ lại bằng Unicode.",
)

# -- submissions (who sent what, when) -------------------------------------------------
SUBMISSION_MISSING = _code(
    "submission-missing",
    "error",
    "submission",
    "Đơn vị chưa nộp phụ lục",
    "Đôn đốc đơn vị gửi báo cáo.",
    CONSOLIDATE,
)
SUBMISSION_LATE = _code(
    "submission-late",
    "warning",
    "submission",
    "Nộp sau hạn",
    "Ghi nhận nộp muộn; số liệu vẫn được dùng.",
    CONSOLIDATE,
)
SUBMISSION_RESEND = _code(
    "submission-resend",
    "warning",
    "submission",
    "Gửi lại trùng nội dung",
    "Không cần làm gì: chỉ tính một lần.",
    CONSOLIDATE,
)
SUBMISSION_SUPERSEDED = _code(
    "submission-superseded",
    "warning",
    "submission",
    "Bị thay thế bởi bản gửi sau",
    "Kiểm tra bản gửi sau là bản đúng.",
    CONSOLIDATE,
)


def lookup(code: str) -> Code | None:
    return CATALOGUE.get(code)


def markdown_table() -> str:
    """The table of codes in ``docs/validation.md`` (generated, tested equal)."""
    lines: list[str] = []
    for group, heading in GROUP_TITLES.items():
        entries = [c for c in CATALOGUE.values() if c.group == group]
        if not entries:
            continue
        lines += [f"**{heading}**", ""]
        lines += ["| code | mức độ | nghĩa | cần làm | lệnh |", "|---|---|---|---|---|"]
        for c in entries:
            severity = "lỗi" if c.severity == "error" else "cảnh báo"
            lines.append(
                f"| `{c.code}` | {severity} | {c.title} | {c.action} | {', '.join(c.commands)} |"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table(), end="")
