"""Plausible values for the four default appendices (seeded, so every run is identical).

Values are generated in whole units (or tenths of a million đồng) so that the
cross-field rules hold exactly in a clean file; mistakes are injected afterwards
by :mod:`xlsaddin.demo.mistakes`.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from xlsaddin.spec.models import AppendixSpec, Period

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Đặng",
    "Bùi",
    "Đinh",
    "Phan",
    "Trương",
    "Hồ",
]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thị Thu", "Đức", "Xuân"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]

TASKS = [
    (
        "Rà soát, hoàn thiện cơ sở vật chất Trung tâm Phục vụ hành chính công cấp xã",
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025",
    ),
    (
        "Kết nối mạng truyền số liệu chuyên dùng đến trụ sở UBND xã",
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025",
    ),
    (
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính còn hiệu lực",
        "Thông báo số 03-TB/BCĐTW ngày 06/3/2025",
    ),
    (
        "Cập nhật, làm sạch dữ liệu dân cư phục vụ Đề án 06",
        "Thông báo số 03-TB/BCĐTW ngày 06/3/2025",
    ),
    (
        "Trang bị chữ ký số cho 100% cán bộ, công chức cấp xã",
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025",
    ),
    (
        "Rà soát, cắt giảm thành phần hồ sơ và thời gian giải quyết thủ tục hành chính",
        "Công văn số 1520/UBND-KSTT ngày 15/7/2025 của UBND tỉnh",
    ),
    (
        "Tập huấn kỹ năng số cho cán bộ, công chức cấp xã",
        "Công văn số 1520/UBND-KSTT ngày 15/7/2025 của UBND tỉnh",
    ),
    (
        "Duy trì hoạt động Tổ công nghệ số cộng đồng tại các thôn, tổ dân phố",
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025",
    ),
    (
        "Triển khai thanh toán trực tuyến phí, lệ phí thủ tục hành chính",
        "Thông báo số 03-TB/BCĐTW ngày 06/3/2025",
    ),
    (
        "Xây dựng kế hoạch chuyển đổi số năm 2026 của địa phương",
        "Công văn số 2045/UBND-KGVX ngày 20/9/2025 của UBND tỉnh",
    ),
    (
        "Vận hành hệ thống camera giám sát tại bộ phận một cửa",
        "Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025",
    ),
    (
        "Bảo đảm an toàn thông tin cho hệ thống máy tính của UBND xã",
        "Công văn số 2045/UBND-KGVX ngày 20/9/2025 của UBND tỉnh",
    ),
    (
        "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến và ứng dụng VNeID",
        "Thông báo số 03-TB/BCĐTW ngày 06/3/2025",
    ),
    (
        "Tiếp nhận, xử lý hồ sơ đất đai chuyển tiếp từ cấp huyện",
        "Công văn số 1520/UBND-KSTT ngày 15/7/2025 của UBND tỉnh",
    ),
]

SPENDING = [
    "Mua sắm máy tính, máy quét cho bộ phận một cửa",
    "Lắp đặt máy lấy số, màn hình hiển thị số thứ tự",
    "Nâng cấp đường truyền Internet, mạng nội bộ",
    "Cải tạo trụ sở Trung tâm Phục vụ hành chính công",
    "Mua chứng thư số, thiết bị ký số",
]

REASONS = [
    "Hồ sơ đất đai phức tạp, phải xác minh nguồn gốc sử dụng đất",
    "Hồ sơ chuyển tiếp từ cấp huyện chưa được liên thông đầy đủ",
    "Thiếu công chức chuyên môn địa chính, phải kiêm nhiệm",
    "Đường truyền mạng không ổn định, phần mềm chưa đồng bộ",
]


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def phone(rng: random.Random) -> str:
    return (
        "0" + rng.choice(["905", "935", "914", "983", "368", "255"]) + f"{rng.randrange(10**6):06d}"
    )


def criteria_rows(
    spec: AppendixSpec, rng: random.Random, meets_all: bool
) -> dict[str, dict[str, Any]]:
    rows = spec.table.rows if isinstance(spec.table.rows, tuple) else ()
    n = len(rows)
    failing: set[int] = set()
    if not meets_all:
        failing = set(rng.sample(range(n), rng.randint(1, 4)))
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        ok = i not in failing
        values: dict[str, Any] = {"ket_qua": "Đạt" if ok else "Chưa đạt"}
        if row.attrs.get("unit"):
            if row.attrs.get("equipment"):
                values["so_luong"] = rng.randint(1, 6) if ok else 0
            elif row.attrs.get("unit") == "m²":
                values["so_luong"] = rng.randint(80, 260) if ok else rng.randint(20, 60)
            else:
                values["so_luong"] = 1 if ok else 0
        if not ok:
            values["ghi_chu"] = "Đang đề xuất kinh phí bổ sung năm 2026"
        out[row.key] = values
    return out


def finance_rows(rng: random.Random) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, low, high in (("chi_dau_tu", 3000, 25000), ("chi_thuong_xuyen", 1500, 9000)):
        estimate = rng.randint(low, high)  # tenths of a million đồng
        approved = estimate - rng.randint(0, estimate // 5)
        allocated = approved - rng.randint(0, approved // 3)
        disbursed = rng.randint(allocated // 4, allocated)
        out[key] = {
            "du_toan": estimate / 10,
            "duoc_duyet": approved / 10,
            "duoc_phan_bo": allocated / 10,
            "chua_phan_bo": (approved - allocated) / 10,
            "da_giai_ngan": disbursed / 10,
            "noi_dung_giai_ngan": "; ".join(rng.sample(SPENDING, 2)) if disbursed else None,
        }
    return out


def tthc_rows(rng: random.Random) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, procedures, volume, online_share in (
        ("toan_trinh", rng.randint(110, 180), rng.randint(600, 4200), 1.0),
        ("mot_phan", rng.randint(60, 120), rng.randint(150, 1200), rng.uniform(0.4, 0.8)),
        ("truc_tiep", rng.randint(8, 30), rng.randint(20, 260), 0.0),
    ):
        online = round(volume * online_share)
        carried = rng.randint(0, volume // 20)
        overdue_done = rng.randint(0, max(0, volume // 200))
        in_process = rng.randint(0, 3)
        on_time = volume + carried - overdue_done - in_process - rng.randint(0, volume // 50)
        values: dict[str, Any] = {
            "so_tthc": procedures,
            "ky_truoc_chuyen_sang": carried,
            "tiep_nhan": volume,
            "tiep_nhan_truc_tuyen": online,
            "tiep_nhan_truc_tiep": volume - online,
            "dung_han": max(0, on_time),
            "cham_cap_nhat": rng.randint(0, 4) if online_share < 1 else 0,
            "qua_han_da_giai_quyet": overdue_done,
            "qua_han_dang_xu_ly": in_process,
            "qua_han_luy_ke": in_process + rng.randint(0, 6),
        }
        if overdue_done + in_process:
            values["nguyen_nhan"] = rng.choice(REASONS)
        out[key] = values
    return out


def task_rows(rng: random.Random, period: Period) -> list[dict[str, Any]]:
    """8-12 tasks; about a third past their deadline at the closing date."""
    closing = period.closing_date
    picked = rng.sample(TASKS, rng.randint(8, 12))
    rows = []
    for name, doc in picked:
        deadline = closing + dt.timedelta(days=rng.randint(-150, 120))
        fate = rng.random()
        row: dict[str, Any] = {"ten_nhiem_vu": name, "van_ban_giao": doc, "thoi_han": deadline}
        if fate < 0.55:
            latest = min(closing, deadline + dt.timedelta(days=40))
            done = deadline - dt.timedelta(days=rng.randint(0, 60))
            if rng.random() < 0.2:
                done = deadline + dt.timedelta(days=rng.randint(1, 30))
            done = min(done, latest)
            row.update(
                ket_qua="Đã hoàn thành",
                ngay_hoan_thanh=done,
                mo_ta="Đã triển khai xong, có báo cáo kết quả",
            )
        elif fate < 0.85:
            row.update(ket_qua="Đang thực hiện", mo_ta="Đang triển khai, đạt khoảng 60% khối lượng")
        else:
            row.update(ket_qua="Chưa thực hiện", mo_ta="Chờ bố trí kinh phí")
        rows.append(row)
    rows.sort(key=lambda r: r["thoi_han"])
    return rows
