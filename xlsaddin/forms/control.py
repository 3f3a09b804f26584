"""``BangDieuKhien.xlsm``: the provincial control workbook (inputs, buttons, status)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from xlsaddin.forms.macros import add_macros
from xlsaddin.safe_output import atomic_write
from xlsaddin.spec.layout import a1
from xlsaddin.spec.models import Mappings
from xlsaddin.xlsx import ClassicWorksheet, print_setup

CONTROL_FILE = "BangDieuKhien.xlsm"
SHEET = "Điều khiển"
CONF_SHEET = "xlwings.conf"
FIXED_CREATED = dt.datetime(2025, 7, 1)

# (defined name, label, row) of the inputs the buttons read (see xlsaddin/excel.py)
INPUTS = (
    ("ctl_inbox", "Thư mục hộp thư đến (tệp các xã gửi về)", 3),
    ("ctl_period", "Kỳ báo cáo", 4),
    ("ctl_closing_date", "Ngày chốt số liệu (để trống = theo kỳ)", 5),
    ("ctl_output", "Tệp tổng hợp cấp tỉnh (.xlsx)", 6),
    ("ctl_report", "Tệp báo cáo Word (.docx)", 7),
)
BUTTONS = (
    ("TongHop", "Tổng hợp", 3),
    ("DanhSachChuaNop", "Danh sách chưa nộp", 5),
    ("LapBaoCao", "Lập báo cáo", 7),
)
STATUS_ROW = 10
LIST_ROW = 13
# xlwings reads its settings from a sheet named "xlwings.conf" (key | value)
CONF = (
    ("Interpreter_Win", ""),
    ("Interpreter_Mac", ""),
    ("PYTHONPATH", ""),
    ("Show Console", "False"),
)


def write_control_workbook(mappings: Mappings, path: Path) -> Path:
    project = mappings.project

    def write(tmp: Path) -> None:
        book = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_numbers": False})
        book.set_properties(
            {"title": "Bảng điều khiển xlsaddin", "author": "xlsaddin", "created": FIXED_CREATED}
        )
        base = {"font_name": project.font_name, "font_size": 12, "valign": "vcenter"}
        title = book.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
        bold = book.add_format({**base, "bold": True})
        label = book.add_format({**base, "text_wrap": True})
        field = book.add_format({**base, "border": 1, "bg_color": "#FFF2CC", "locked": False})
        date = book.add_format(
            {
                **base,
                "border": 1,
                "bg_color": "#FFF2CC",
                "locked": False,
                "num_format": "dd/mm/yyyy",
            }
        )
        status = book.add_format({**base, "border": 1, "text_wrap": True, "italic": True})
        ws = book.add_worksheet(SHEET, worksheet_class=ClassicWorksheet)
        ws.set_column(0, 0, 36)
        ws.set_column(1, 1, 52)
        ws.set_column(2, 2, 3)
        ws.set_column(3, 3, 24)
        ws.merge_range(
            0, 0, 0, 3, "BẢNG ĐIỀU KHIỂN TỔNG HỢP BÁO CÁO CÁC XÃ, PHƯỜNG, ĐẶC KHU", title
        )
        ws.merge_range(
            1,
            0,
            1,
            3,
            f"Tỉnh {project.province.name} — nhập các ô nền vàng rồi "
            "bấm nút; kết quả hiện ở ô Tình trạng và danh sách bên dưới.",
            book.add_format({**base, "italic": True, "align": "center"}),
        )
        for name, text, row in INPUTS:
            ws.write_string(row, 0, text, label)
            ws.set_row(row, 24)
            fmt = date if name == "ctl_closing_date" else field
            value = project.default_period if name == "ctl_period" else ""
            if value:
                ws.write_string(row, 1, value, fmt)
            else:
                ws.write_blank(row, 1, None, fmt)
            book.define_name(name, f"='{SHEET}'!{a1(row, 1, absolute=True)}")
        periods = [p.id for p in project.periods]
        ws.data_validation(
            4,
            1,
            4,
            1,
            {
                "validate": "list",
                "source": periods,
                "error_title": "Kỳ báo cáo",
                "error_message": "Chọn kỳ báo cáo trong danh sách.",
            },
        )
        ws.data_validation(
            5,
            1,
            5,
            1,
            {
                "validate": "date",
                "criteria": ">",
                "value": dt.date(2000, 1, 1),
                "error_message": "Nhập ngày dạng ngày/tháng/năm.",
            },
        )
        for macro, caption, row in BUTTONS:
            ws.insert_button(
                row, 3, {"macro": macro, "caption": caption, "width": 170, "height": 30}
            )
        ws.write_string(STATUS_ROW - 1, 0, "Tình trạng:", bold)
        ws.merge_range(STATUS_ROW, 0, STATUS_ROW, 3, "", status)
        ws.set_row(STATUS_ROW, 36)
        book.define_name("ctl_status", f"='{SHEET}'!{a1(STATUS_ROW, 0, absolute=True)}")
        ws.write_string(LIST_ROW - 1, 0, "Danh sách đơn vị chưa nộp báo cáo", bold)
        book.define_name("ctl_list", f"='{SHEET}'!{a1(LIST_ROW, 0, absolute=True)}")
        # one page wide; the list of missing units below the inputs may run onto more pages
        print_setup(
            ws,
            landscape=False,
            repeat=None,
            footer=f"Bảng điều khiển tổng hợp báo cáo — tỉnh {project.province.name}",
            font=project.font_name,
        )
        ws.print_area(0, 0, LIST_ROW + 100, 3)
        ws.activate()
        conf = book.add_worksheet(CONF_SHEET, worksheet_class=ClassicWorksheet)
        conf.set_column(0, 0, 22)
        conf.set_column(1, 1, 70)
        conf.print_area(0, 8, 0, 8)  # settings for xlwings, not a page to print (I1 is empty)
        for r, (key, value) in enumerate(CONF):
            conf.write_string(r, 0, key)
            if value:
                conf.write_string(r, 1, value)
        conf.write_string(
            len(CONF) + 1,
            0,
            "Để trống Interpreter_Win để dùng Python mặc định; xem docs/cai-dat-windows.md.",
        )
        add_macros(book, len(book.worksheets()))
        book.close()

    atomic_write(path, write)
    return path
