"""The documented set of mistakes in the demo inbox (see docs/demo.md).

Each entry says which unit does what wrong, in which appendix. The generator
applies them; later stages (validation, consolidation) must find them on their
own, and tests compare what they find with :data:`MISTAKES`.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlsaddin.core import codes
from xlsaddin.core.codes import CATALOGUE
from xlsaddin.spec.models import Mappings

#: Not an issue code: the unit sends its appendix in a declared foreign layout.
FOREIGN_LAYOUT = "foreign-layout"


@dataclass(frozen=True)
class Mistake:
    code: str  # the issue code the tool is expected to report
    unit: int
    appendix: str | None  # None = every appendix
    row: str | None = None  # row key (fixed tables) or 1-based row number (free tables)
    column: str | None = None
    note: str = ""


MISTAKES: tuple[Mistake, ...] = (
    Mistake(codes.SUBMISSION_MISSING.code, 23356, None, note="Xã Xốp không gửi phụ lục nào"),
    Mistake(codes.SUBMISSION_MISSING.code, 23536, None, note="Xã Mô Rai không gửi phụ lục nào"),
    Mistake(codes.SUBMISSION_MISSING.code, 21136, None, note="Xã Cà Đam không gửi phụ lục nào"),
    Mistake(codes.SUBMISSION_MISSING.code, 21343, "ket_qua_tthc", note="Thiếu Phụ lục 03"),
    Mistake(codes.SUBMISSION_MISSING.code, 23430, "nhiem_vu", note="Thiếu Phụ lục 04"),
    Mistake(
        codes.SUBMISSION_SUPERSEDED.code,
        21205,
        "nguon_luc_tai_chinh",
        note="Gửi hai lần, bản sau sửa số liệu: bản trước bị thay thế",
    ),
    Mistake(
        codes.SUBMISSION_RESEND.code,
        21025,
        "tieu_chi_ha_tang",
        note="Gửi lại đúng tệp cũ (trùng nội dung) dưới tên khác",
    ),
    Mistake(
        codes.SUBMISSION_LATE.code, 21484, None, note="Xã Ba Tơ gửi tất cả các phụ lục sau hạn"
    ),
    Mistake(
        codes.SUBMISSION_LATE.code, 23497, "nguon_luc_tai_chinh", note="Gửi Phụ lục 02 sau hạn"
    ),
    Mistake(codes.REQUIRED_MISSING.code, 21496, "tieu_chi_ha_tang", "may_lay_so", "ket_qua"),
    Mistake(codes.REQUIRED_MISSING.code, 21496, "tieu_chi_ha_tang", "kiosk", "ket_qua"),
    Mistake(codes.REQUIRED_MISSING.code, 21325, "ket_qua_tthc", "mot_phan", "tiep_nhan"),
    Mistake(
        "allocation-sum-mismatch",
        21400,
        "nguon_luc_tai_chinh",
        "chi_dau_tu",
        "chua_phan_bo",
        note="Chưa phân bổ không khớp: được phân bổ + chưa phân bổ ≠ được duyệt",
    ),
    Mistake(
        "disbursed-over-allocated", 23401, "nguon_luc_tai_chinh", "chi_thuong_xuyen", "da_giai_ngan"
    ),
    Mistake(
        "received-split-mismatch",
        21061,
        "ket_qua_tthc",
        "toan_trinh",
        "tiep_nhan",
        note="Tổng số tiếp nhận khác trực tuyến + trực tiếp",
    ),
    Mistake(
        codes.NUMBER_AS_TEXT.code,
        21109,
        "nguon_luc_tai_chinh",
        "chi_dau_tu",
        "du_toan",
        note='Gõ số dạng chữ kiểu Việt Nam, ví dụ "1.834,5"',
    ),
    Mistake(
        codes.NUMBER_AS_TEXT.code,
        23293,
        "ket_qua_tthc",
        "toan_trinh",
        "tiep_nhan",
        note='Gõ số dạng chữ, ví dụ "2.417"',
    ),
    Mistake(
        codes.DATE_AS_TEXT.code,
        21238,
        "nhiem_vu",
        None,
        "thoi_han",
        note='Mọi thời hạn gõ dạng chữ "31/08/2025"',
    ),
    Mistake(
        FOREIGN_LAYOUT,
        21040,
        "nhiem_vu",
        note="Gửi bảng nhiệm vụ 7 cột cũ của Sở: ngày lẫn định dạng, một dòng thiếu kết quả",
    ),
    Mistake(codes.FILE_CORRUPT.code, 21349, "tieu_chi_ha_tang", note="Tệp bị cắt cụt khi tải về"),
    Mistake(
        codes.FILE_NOT_WORKBOOK.code,
        21289,
        "ket_qua_tthc",
        note="Gửi ảnh chụp đặt tên .xlsx; đơn vị coi như chưa nộp Phụ lục 03",
    ),
)

# Units that filled the blank template and chose their name from the drop-down.
GENERIC_TEMPLATE_UNITS = (21211, 23326)
# Units whose files arrive with a lock file (~$...) beside them: must be ignored.
LOCK_FILE_UNITS = (21025,)


def applicable(mappings: Mappings) -> list[Mistake]:
    """The mistakes that make sense for these mappings.

    The list is written for the shipped appendices; a province that replaced an
    appendix, a rule or a row simply gets fewer deliberate mistakes (a mistake
    on a rule is applied by violating that rule, whatever its expression).
    """
    out = []
    for m in MISTAKES:
        if m.appendix is None:
            out.append(m)
            continue
        try:
            spec = mappings.appendix(m.appendix)
        except KeyError:
            continue
        keys = {c.key for c in spec.table.columns}
        if m.column is not None and m.column not in keys:
            continue
        if m.row is not None and spec.table.fixed_rows:
            rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
            if m.row not in {r.key for r in rows if r.kind == "input"}:
                continue
        builtin = m.code in CATALOGUE or m.code == FOREIGN_LAYOUT
        if not builtin and not any(r.id == m.code for r in spec.rules):
            continue
        if m.code == FOREIGN_LAYOUT and not any(
            layout.appendix == spec.id for layout in mappings.layouts
        ):
            continue
        out.append(m)
    return out
