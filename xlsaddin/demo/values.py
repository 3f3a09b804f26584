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
    # the procedures are the province's list, the same everywhere; a few units count
    # differently (a procedure not yet published, one counted twice)
    off = rng.random() < 0.1
    for key, procedures, volume, online_share in (
        ("toan_trinh", 142 + (rng.randint(-3, 2) if off else 0), rng.randint(600, 4200), 1.0),
        (
            "mot_phan",
            78 + (rng.randint(-2, 2) if off else 0),
            rng.randint(150, 1200),
            rng.uniform(0.4, 0.8),
        ),
        ("truc_tiep", 12, rng.randint(20, 260), 0.0),
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
            "cham_tiep_nhan": round(online * rng.uniform(0.0, 0.04)),
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


DOCUMENTS = [
    ("Kế hoạch triển khai Kế hoạch số 02-KH/BCĐTW về chuyển đổi số liên thông, đồng bộ", "KH"),
    ("Quyết định thành lập Tổ công nghệ số cộng đồng", "QĐ"),
    ("Quy chế hoạt động của Trung tâm Phục vụ hành chính công xã", "QĐ"),
    ("Kế hoạch chuyển đổi số năm 2026", "KH"),
    ("Quyết định phân công cán bộ, công chức tiếp nhận, giải quyết thủ tục hành chính", "QĐ"),
    ("Kế hoạch số hóa hồ sơ, kết quả giải quyết thủ tục hành chính", "KH"),
    ("Công văn chỉ đạo đẩy mạnh dịch vụ công trực tuyến toàn trình", "UBND"),
]
NOT_ISSUED = [
    "Đang chờ hướng dẫn của UBND tỉnh; dự kiến ban hành trong quý I/2026",
    "Đang lấy ý kiến các ngành; sẽ ban hành sau khi có kinh phí",
]
DIFFICULTIES = {
    "phap_ly": (
        ["Chưa có hướng dẫn chi tiết về phân cấp thẩm quyền giải quyết một số TTHC"],
        ["Đề nghị tỉnh ban hành hướng dẫn thống nhất về quy trình nội bộ"],
    ),
    "ha_tang": (
        [
            "Đường truyền mạng không ổn định, thường xuyên gián đoạn",
            "Máy tính cũ, cấu hình thấp, phần mềm chưa đồng bộ",
            "Thôn vùng sâu còn lõm sóng di động",
        ],
        [
            "Đề nghị nâng cấp đường truyền, cấp bổ sung máy tính",
            "Đề nghị doanh nghiệp viễn thông phủ sóng vùng lõm",
        ],
    ),
    "trung_tam_hcc": (
        [
            "Trụ sở Trung tâm Phục vụ hành chính công chật hẹp, xuống cấp",
            "Thiếu máy lấy số, màn hình hiển thị, ki-ốt tra cứu",
        ],
        ["Đề nghị bố trí kinh phí cải tạo trụ sở, mua sắm trang thiết bị"],
    ),
    "nhan_luc": (
        [
            "Thiếu công chức chuyên môn về công nghệ thông tin, đất đai",
            "Công chức phải kiêm nhiệm nhiều việc",
        ],
        ["Đề nghị tỉnh tổ chức tập huấn, bổ sung biên chế công chức chuyên môn"],
    ),
    "tai_chinh": (
        ["Kinh phí được phân bổ chưa đủ để mua sắm thiết bị theo tiêu chí"],
        ["Đề nghị bổ sung kinh phí năm 2026"],
    ),
    "tthc": (
        [
            "Hồ sơ đất đai chuyển tiếp từ cấp huyện chưa được liên thông đầy đủ",
            "Người dân chưa quen sử dụng dịch vụ công trực tuyến",
        ],
        ["Đề nghị Sở Nông nghiệp và Môi trường hoàn thành chuyển tiếp hồ sơ đất đai"],
    ),
}
REMEDIES = [
    "Đã báo cáo UBND tỉnh, đang chờ xử lý",
    "Đã khắc phục một phần bằng nguồn kinh phí của xã",
]
COMMENTS = {
    "uu_diem": [
        "Thành lập Tổ công nghệ số cộng đồng ở tất cả các thôn, hướng dẫn người dân tại nhà"
    ],
    "khac_phuc": ["Đã bố trí thêm máy tính cho bộ phận một cửa"],
    "tham_quyen_tw": ["Phần mềm chuyên ngành của Bộ chưa liên thông với hệ thống của tỉnh"],
    "phat_sinh": ["Số hồ sơ đất đai tăng đột biến sau sáp nhập"],
    "nguyen_nhan": ["Cơ sở vật chất, nhân lực chưa đáp ứng yêu cầu sau sắp xếp"],
    "kien_nghi": ["Đề nghị tỉnh bố trí kinh phí thực hiện các tiêu chí hạ tầng còn thiếu"],
}


def document_rows(rng: random.Random, period: Period) -> list[dict[str, Any]]:
    """3-6 documents: most issued, a few not yet (with the reason)."""
    rows = []
    for summary, kind in rng.sample(DOCUMENTS, rng.randint(3, 6)):
        issued = rng.random() < 0.85
        row: dict[str, Any] = {
            "so_ky_hieu": f"{rng.randint(10, 250)}/{kind}-UBND",
            "trich_yeu": summary,
            "co_quan": "UBND xã",
            "tinh_trang": "Đã ban hành" if issued else "Chưa ban hành theo tiến độ",
        }
        if issued:
            row["ngay_ban_hanh"] = period.closing_date - dt.timedelta(days=rng.randint(20, 150))
            row["dap_ung"] = "Đáp ứng" if rng.random() < 0.9 else "Chưa đáp ứng"
        else:
            row["ghi_chu"] = rng.choice(NOT_ISSUED)
        rows.append(row)
    return rows


def staff_rows(rng: random.Random) -> dict[str, dict[str, Any]]:
    out = {}
    for key, low, high in (("can_bo", 8, 20), ("hop_dong", 0, 4)):
        total = rng.randint(low, high)
        out[key] = {
            "so_nguoi": total,
            "tai_trung_tam": rng.randint(0, total),
            "kiem_nhiem": rng.randint(0, total // 2),
        }
    return out


def difficulty_rows(rng: random.Random) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, (problems, proposals) in DIFFICULTIES.items():
        if rng.random() < 0.35:
            out[key] = {
                "co_kho_khan": "Có",
                "kho_khan": rng.choice(problems),
                "ket_qua": rng.choice(REMEDIES),
                "de_xuat": rng.choice(proposals),
            }
        else:
            out[key] = {"co_kho_khan": "Không"}
    return out


def comment_rows(rng: random.Random) -> dict[str, dict[str, Any]]:
    return {
        key: {"noi_dung": rng.choice(texts) if rng.random() < 0.4 else "Không"}
        for key, texts in COMMENTS.items()
    }
