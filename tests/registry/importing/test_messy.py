import unicodedata

import pytest

from hocvuso.registry.importing.messy import messy_file
from hocvuso.registry.importing.reader import read_table
from hocvuso.registry.importing.rows import ParsedPerson, RowError, parse_rows
from hocvuso.registry.synthetic import VILLAGE_NAMES, Population


@pytest.fixture(scope="module")
def households():
    return list(Population(seed=11, ethnic_minority=True).households(150, VILLAGE_NAMES[:3]))


@pytest.mark.parametrize("fmt", ["csv", "csv-utf16", "xlsx"])
@pytest.mark.parametrize("codes", [True, False])
@pytest.mark.parametrize("seed", [1, 2])
def test_round_trip(households, fmt, codes, seed):
    data, manifest = messy_file(
        households, fmt=fmt, seed=seed, bad_share=0.08, household_codes=codes
    )
    table = read_table(data, filename="list.xlsx" if fmt == "xlsx" else "list.csv")
    assert table.unknown_columns == ["Ghi chú khác"]
    results = list(parse_rows(table))
    people = [p for hh in households for p in hh.members]
    assert table.total == manifest["rows"] == len(results) == len(people)

    errors = {r.number: r.code for r in results if isinstance(r, RowError)}
    assert errors == manifest["bad_rows"]
    assert manifest["bad_rows"]  # the file did have mistakes in it
    good = [r for r in results if isinstance(r, ParsedPerson)]
    assert len(good) == manifest["good_rows"]

    # Every good row holds exactly the synthetic person's data, in NFC.
    household_of = {}
    pairs = [(member, household) for household in households for member in household.members]
    for result, (person, hh) in zip(results, pairs, strict=True):
        if isinstance(result, RowError):
            continue
        assert result.full_name == person.full_name
        assert unicodedata.is_normalized("NFC", result.full_name)
        assert result.sex == person.sex
        assert result.birth_year == person.birth_year
        assert result.birth_date == person.birth_date
        assert result.cccd == person.cccd
        assert result.phone == ("+84" + person.phone[1:] if person.phone else "")
        assert result.ethnicity == person.ethnicity
        assert result.occupation == person.occupation
        assert result.relationship == person.relationship
        assert result.village == hh.village_name
        if codes:
            assert result.household_code == hh.code
        household_of.setdefault(hh.code, set()).add(result.household_code)
    # Grouped as the synthetic households are: one code each, none shared.
    assert all(len(found) == 1 for found in household_of.values())
    codes_found = [next(iter(found)) for found in household_of.values()]
    assert len(set(codes_found)) == len(codes_found)


def test_deterministic(households):
    assert messy_file(households, fmt="csv", seed=4) == messy_file(households, fmt="csv", seed=4)


def test_without_title_rows_the_header_is_row_one(households):
    data, _manifest = messy_file(households[:5], fmt="xlsx", title_rows=False)
    assert read_table(data, filename="a.xlsx").header_row == 1


def test_bad_share_zero(households):
    data, manifest = messy_file(households[:20], fmt="csv", bad_share=0)
    assert manifest["bad_rows"] == {}
    results = list(parse_rows(read_table(data, filename="a.csv")))
    assert all(isinstance(r, ParsedPerson) for r in results)
