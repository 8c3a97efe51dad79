import pytest

from hocvuso.registry.importing.headers import (
    CANONICAL_FIELDS,
    SYNONYMS,
    is_ignored,
    match_header,
)


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("Họ và tên", "full_name"),
        ("Họ tên", "full_name"),
        ("Ho ten", "full_name"),
        ("Full name", "full_name"),
        ("Tên", "full_name"),
        ("Số CCCD", "cccd"),
        ("CCCD", "cccd"),
        ("Số định danh", "cccd"),
        ("Số định danh cá nhân", "cccd"),
        ("CMND/CCCD", "cccd"),
        ("Số CMND", "cccd"),
        ("Ngày sinh", "birth"),
        ("Ngày tháng năm sinh", "birth"),
        ("Date of birth", "birth"),
        ("Năm sinh", "birth_year"),
        ("Giới tính", "sex"),
        ("Giới", "sex"),
        ("Sex", "sex"),
        ("Gender", "sex"),
        ("Dân tộc", "ethnicity"),
        ("Ethnicity", "ethnicity"),
        ("SĐT", "phone"),
        ("Số điện thoại", "phone"),
        ("Điện thoại", "phone"),
        ("Phone", "phone"),
        ("Thôn", "village"),
        ("Tổ dân phố", "village"),
        ("Thôn/Tổ dân phố", "village"),
        ("Thôn/TDP", "village"),
        ("Ấp", "village"),
        ("Bản", "village"),
        ("Buôn", "village"),
        ("Khóm", "village"),
        ("Khu phố", "village"),
        ("Village", "village"),
        ("Mã hộ", "household_code"),
        ("Số hộ", "household_code"),
        ("Mã hộ gia đình", "household_code"),
        ("Số sổ hộ khẩu", "household_code"),
        ("Household code", "household_code"),
        ("Quan hệ với chủ hộ", "relationship"),
        ("Quan hệ", "relationship"),
        ("QH với chủ hộ", "relationship"),
        ("Relationship", "relationship"),
        ("Chủ hộ", "is_head"),
        ("Nghề nghiệp", "occupation"),
        ("Nghề", "occupation"),
        ("Occupation", "occupation"),
        ("Ghi chú đặc biệt", "special_needs"),
        ("Khuyết tật", "special_needs"),
        ("Nhu cầu đặc biệt", "special_needs"),
        ("Special needs", "special_needs"),
        ("Địa chỉ", "address"),
        ("Address", "address"),
    ],
)
def test_synonyms(cell, field):
    assert match_header(cell) == field


@pytest.mark.parametrize(
    "cell",
    [
        "HỌ VÀ TÊN",
        "ho va ten",
        "  Họ   và  tên ",
        "Họ-và-tên:",
        "HO_VA_TEN",
        "Họ và tên (*)",
        "Ho\u0323 va\u0300 tên",  # NFD
    ],
)
def test_case_diacritics_spacing_punctuation_ignored(cell):
    assert match_header(cell) == "full_name"


def test_bracketed_note_ignored():
    assert match_header("Ngày sinh (dd/mm/yyyy)") == "birth"


@pytest.mark.parametrize("cell", ["Ghi chú khác", "Tôn giáo", "Trình độ", "", "Tên chủ hộ"])
def test_unknown(cell):
    assert match_header(cell) is None


@pytest.mark.parametrize("cell", ["STT", "TT", "stt", "Số TT", "Số thứ tự", ""])
def test_index_columns_ignored(cell):
    assert is_ignored(cell)
    assert match_header(cell) is None


def test_unknown_column_is_not_ignored():
    assert not is_ignored("Ghi chú khác")


def test_every_synonym_names_a_canonical_field_and_no_key_is_shared():
    from hocvuso.registry.importing.headers import header_key

    seen: dict[str, str] = {}
    for field, names in SYNONYMS.items():
        assert field in CANONICAL_FIELDS
        for name in names:
            key = header_key(name)
            assert seen.setdefault(key, field) == field, name


@pytest.mark.parametrize(
    ("cell", "field"),
    [
        ("Thôn/bản", "village"),
        ("Thôn, bản", "village"),
        ("Nam/Nữ", "sex"),
        ("Giới tính (Nam/Nữ)", "sex"),
        ("Họ và tên thành viên", "full_name"),
        ("HỌ TÊN NHÂN KHẨU", "full_name"),
        ("Số CCCD hoặc CMND", "cccd"),
        ("Họ tên chủ hộ", None),  # the head's name in a list of households: not each row's
        ("Dân tộc/Tôn giáo", None),  # alternatives naming different things: not guessed
    ],
)
def test_headers_as_communes_write_them(cell, field):
    assert match_header(cell) == field
