"""The common online public services citizens come to the commune desk for (data, not a model).

Codes are stable (they are stored on each visit); names follow the National Public Service Portal
(Cổng dịch vụ công quốc gia). ``skill`` is the milestone recorded when the person can now do the
procedure alone: an online public service completed on the portal.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language


@dataclass(frozen=True)
class Procedure:
    code: str
    name_vi: str
    name_en: str
    skill: str = "dvc.online"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


PROCEDURES: tuple[Procedure, ...] = (
    Procedure("khai_sinh", "Đăng ký khai sinh", "Birth registration"),
    Procedure("khai_tu", "Đăng ký khai tử", "Death registration"),
    Procedure("ket_hon", "Đăng ký kết hôn", "Marriage registration"),
    Procedure("xac_nhan_hon_nhan", "Xác nhận tình trạng hôn nhân", "Marital status confirmation"),
    Procedure("cu_tru", "Đăng ký thường trú, tạm trú", "Residence registration"),
    Procedure("ly_lich_tu_phap", "Cấp phiếu lý lịch tư pháp", "Criminal record certificate"),
    Procedure("chung_thuc", "Chứng thực bản sao điện tử", "Certified electronic copy"),
    Procedure("dat_dai", "Thủ tục đất đai, nhà ở", "Land and housing procedures"),
    Procedure("bhxh", "Bảo hiểm xã hội", "Social insurance"),
    Procedure("bhyt", "Gia hạn bảo hiểm y tế", "Health insurance renewal"),
    Procedure("tro_cap", "Trợ cấp, chính sách xã hội", "Social allowances"),
    Procedure("kinh_doanh", "Đăng ký hộ kinh doanh", "Business registration"),
    Procedure("vneid_muc2", "Tài khoản định danh điện tử mức 2 (VNeID)", "VNeID level 2 account"),
    Procedure("gplx", "Đổi giấy phép lái xe", "Driving licence renewal"),
    Procedure("xay_dung", "Cấp giấy phép xây dựng", "Building permit"),
    Procedure("thue", "Nộp thuế, phí, lệ phí trực tuyến", "Online payment of taxes and fees"),
    Procedure("dien_nuoc", "Thanh toán tiền điện, nước", "Electricity and water bills"),
    Procedure("khac", "Thủ tục khác", "Other procedure"),
)
BY_CODE = {p.code: p for p in PROCEDURES}


def procedure_choices() -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in PROCEDURES]
