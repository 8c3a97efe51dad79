"""A realistic synthetic population for demos, tests and benchmarks (no real person in it).

Households of 1-7 people with plausible family structure and ages, Vietnamese names with their
diacritics (Faker's ``vi_VN`` locale for family and given names), CCCD numbers consistent with sex
and year of birth for everyone aged 14 and over (most of them; some not issued yet), mobile numbers
for most adults, ethnicity following the area (Kinh in most places, the groups of the northern
mountains or the Central Highlands in ethnic-minority areas), occupations by age, and special-needs
notes for some elderly people. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from faker import Faker

from hocvuso.registry.cccd import PROVINCE_CODES

MIDDLE_MALE = ["Văn", "Đức", "Minh", "Hữu", "Quốc", "Công", "Thanh", "Xuân", "Ngọc", "Đình"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Phương"]
MINORITY_NORTH = ["02", "03", "07", "08", "09", "06", "25", "35"]
MINORITY_HIGHLANDS = ["10", "12", "13", "14", "16", "20", "19", "27"]
SPECIAL_NEEDS = [
    "Mắt kém, cần chữ to",
    "Nghe kém",
    "Khuyết tật vận động",
    "Không biết chữ",
    "Không có điện thoại thông minh",
]
VILLAGE_NAMES = [
    "Thôn Đông", "Thôn Tây", "Thôn Nam", "Thôn Bắc", "Thôn Trung", "Thôn Thượng", "Thôn Hạ",
    "Thôn Tân Lập", "Thôn Đồng Tâm", "Thôn Hòa Bình", "Bản Nà Lìu", "Bản Pác Bó", "Tổ dân phố 1",
    "Tổ dân phố 2", "Tổ dân phố 3", "Thôn Phú Lợi", "Thôn An Phú", "Thôn Lũng Cú",
]  # fmt: skip


@dataclass
class SynthPerson:
    full_name: str
    sex: str
    birth_date: dt.date | None
    birth_year: int
    relationship: str
    ethnicity: str
    cccd: str = ""
    phone: str = ""
    occupation: str = ""
    special_needs: str = ""


@dataclass
class SynthHousehold:
    code: str
    village_name: str
    address: str
    members: list[SynthPerson] = field(default_factory=list)


class Population:
    """Makes households; ``cccd_province`` is the 3-digit birth-registration code to use mostly."""

    def __init__(
        self,
        *,
        seed: int = 2025,
        today: dt.date | None = None,
        ethnic_minority: bool = False,
        highlands: bool = False,
        cccd_province: str | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("vi_VN")
        self.fake.seed_instance(seed)
        self.today = today or dt.date(2026, 1, 1)
        self.ethnic_minority = ethnic_minority
        self.highlands = highlands
        codes = sorted(PROVINCE_CODES)
        self.cccd_province = cccd_province or self.rng.choice(codes)
        self._codes = codes
        self._used_cccd: set[str] = set()
        self._names_in_household: set[str] = set()

    # --- pieces ---------------------------------------------------------------------------
    def _name(self, sex: str, family: str) -> str:
        while True:  # no two members of a household share a full name
            middle = self.rng.choice(MIDDLE_MALE if sex == "M" else MIDDLE_FEMALE)
            given = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
            name = f"{family} {middle} {given}"
            if name not in self._names_in_household:
                self._names_in_household.add(name)
                return name

    def _ethnicity(self) -> str:
        if not self.ethnic_minority:
            return "01" if self.rng.random() < 0.95 else self.rng.choice(MINORITY_NORTH)
        if self.rng.random() < 0.2:
            return "01"
        return self.rng.choice(MINORITY_HIGHLANDS if self.highlands else MINORITY_NORTH)

    def _birth(self, age: int) -> tuple[dt.date | None, int]:
        year = self.today.year - age
        if self.rng.random() < 0.15:  # lists often hold only the year of birth
            return None, year
        start = dt.date(year, 1, 1)
        day = start + dt.timedelta(days=self.rng.randrange(365))
        return (day if day <= self.today else self.today), year

    def cccd(self, sex: str, year: int) -> str:
        century_digit = {1800: 8, 1900: 0, 2000: 2, 2100: 4}[year // 100 * 100]
        digit = century_digit + (1 if sex == "F" else 0)
        province = self.cccd_province if self.rng.random() < 0.85 else self.rng.choice(self._codes)
        while True:
            number = f"{province}{digit}{year % 100:02d}{self.rng.randrange(10**6):06d}"
            if number not in self._used_cccd:
                self._used_cccd.add(number)
                return number

    def _phone(self) -> str:
        prefix = self.rng.choice(
            [
                "32",
                "33",
                "34",
                "35",
                "36",
                "37",
                "38",
                "39",
                "86",
                "96",
                "97",
                "98",
                "88",
                "91",
                "94",
                "83",
                "84",
                "85",
                "81",
                "82",
                "70",
                "76",
                "77",
                "78",
                "79",
                "90",
                "93",
                "56",
                "58",
            ]
        )
        return f"0{prefix}{self.rng.randrange(10**7):07d}"

    def _occupation(self, age: int) -> str:
        if age < 6:
            return ""
        if age < 18:
            return "student"
        if age >= 62:
            return self.rng.choice(["retired", "farmer", "homemaker"])
        return self.rng.choices(
            ["farmer", "trader", "worker", "official", "homemaker", "student", "unemployed"],
            weights=[40, 15, 20, 5, 8, 7, 5],
        )[0]

    def _person(
        self, *, sex: str, age: int, family: str, relationship: str, ethnicity: str
    ) -> SynthPerson:
        birth_date, year = self._birth(age)
        person = SynthPerson(
            full_name=self._name(sex, family),
            sex=sex,
            birth_date=birth_date,
            birth_year=year,
            relationship=relationship,
            ethnicity=ethnicity,
            occupation=self._occupation(age),
        )
        if age >= 14 and self.rng.random() < 0.9:
            person.cccd = self.cccd(sex, year)
        if age >= 16 and self.rng.random() < (0.85 if age < 65 else 0.5):
            person.phone = self._phone()
        if (age >= 70 and self.rng.random() < 0.3) or self.rng.random() < 0.02:
            person.special_needs = self.rng.choice(SPECIAL_NEEDS)
        return person

    # --- households -----------------------------------------------------------------------
    def household(self, code: str, village_name: str) -> SynthHousehold:
        rng = self.rng
        self._names_in_household = set()
        family = self.fake.last_name()
        ethnicity = self._ethnicity()
        address = f"Số {rng.randrange(1, 300)}, {village_name}"
        hh = SynthHousehold(code=code, village_name=village_name, address=address)
        shape = rng.random()
        head_sex = "M" if rng.random() < 0.75 else "F"
        if shape < 0.08:  # elderly living alone or as a couple
            head_age = rng.randrange(65, 92)
            hh.members.append(
                self._person(
                    sex=head_sex,
                    age=head_age,
                    family=family,
                    relationship="head",
                    ethnicity=ethnicity,
                )
            )
            if rng.random() < 0.5:
                hh.members.append(
                    self._person(
                        sex="F" if head_sex == "M" else "M",
                        age=max(60, head_age + rng.randrange(-6, 4)),
                        family=self.fake.last_name(),
                        relationship="spouse",
                        ethnicity=ethnicity,
                    )
                )
            return hh
        head_age = rng.randrange(24, 75)
        hh.members.append(
            self._person(
                sex=head_sex, age=head_age, family=family, relationship="head", ethnicity=ethnicity
            )
        )
        if rng.random() < 0.85:
            hh.members.append(
                self._person(
                    sex="F" if head_sex == "M" else "M",
                    age=max(18, head_age + rng.randrange(-6, 5)),
                    family=self.fake.last_name(),
                    relationship="spouse",
                    ethnicity=ethnicity,
                )
            )
        for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[10, 25, 40, 18, 7])[0]):
            child_age = head_age - rng.randrange(20, 36)
            if child_age >= 0:
                hh.members.append(
                    self._person(
                        sex=rng.choice("MF"),
                        age=child_age,
                        family=family,
                        relationship="child",
                        ethnicity=ethnicity,
                    )
                )
        if head_age < 50 and rng.random() < 0.3:
            hh.members.append(
                self._person(
                    sex=rng.choice("MF"),
                    age=min(95, head_age + rng.randrange(22, 32)),
                    family=family,
                    relationship="parent",
                    ethnicity=ethnicity,
                )
            )
        return hh

    def households(
        self, count: int, villages: list[str], prefix: str = "HGD"
    ) -> Iterator[SynthHousehold]:
        for i in range(1, count + 1):
            yield self.household(f"{prefix}-{i:05d}", villages[(i - 1) % len(villages)])


# --- Clean spreadsheets of synthetic people (the published template's columns) -----------------

CLEAN_HEADERS = [
    "Mã hộ", "Thôn/Tổ dân phố", "Địa chỉ", "Họ và tên", "Quan hệ với chủ hộ", "Ngày sinh",
    "Giới tính", "Dân tộc", "Số CCCD", "Số điện thoại", "Nghề nghiệp", "Ghi chú đặc biệt",
]  # fmt: skip
_RELATIONSHIP_WORDS = {
    ("head", "M"): "Chủ hộ", ("head", "F"): "Chủ hộ", ("spouse", "M"): "Chồng",
    ("spouse", "F"): "Vợ", ("child", "M"): "Con trai", ("child", "F"): "Con gái",
    ("parent", "M"): "Bố", ("parent", "F"): "Mẹ",
}  # fmt: skip
_OCCUPATION_WORDS = {
    "farmer": "Nông dân", "trader": "Buôn bán", "worker": "Công nhân", "official": "Công chức",
    "homemaker": "Nội trợ", "student": "Học sinh", "retired": "Hưu trí", "unemployed": "",
}  # fmt: skip


def clean_rows(households: list[SynthHousehold]) -> Iterator[list[str]]:
    from hocvuso.registry.ethnicity import ETHNICITY_NAMES

    for hh in households:
        for p in hh.members:
            yield [
                hh.code,
                hh.village_name,
                hh.address,
                p.full_name,
                _RELATIONSHIP_WORDS.get((p.relationship, p.sex), "Khác"),
                p.birth_date.strftime("%d/%m/%Y") if p.birth_date else str(p.birth_year),
                "Nam" if p.sex == "M" else "Nữ",
                ETHNICITY_NAMES.get(p.ethnicity, ""),
                p.cccd,
                p.phone,
                _OCCUPATION_WORDS.get(p.occupation, ""),
                p.special_needs,
            ]


def clean_csv(households: list[SynthHousehold]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CLEAN_HEADERS)
    writer.writerows(clean_rows(households))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


NORTHERN_MOUNTAINS = {"04", "08", "11", "12", "14", "15", "19", "20"}
HIGHLANDS = {"52", "66", "68", "51"}


def population_for(province_code: str, *, seed: int = 2025) -> Population:
    """Ethnicity mixes that differ by province; CCCD birth codes of the province's former code
    (each new province kept the code of one of the provinces merged into it)."""
    return Population(
        seed=seed,
        ethnic_minority=province_code in NORTHERN_MOUNTAINS | HIGHLANDS,
        highlands=province_code in HIGHLANDS,
        cccd_province=f"0{province_code}",
    )
