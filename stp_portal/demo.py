"""Demo data: a believable country of parks, tenants, applications and leases.

Idempotent: every row is looked up by its natural key first and only created when missing,
so a second run changes nothing. Dates of leases and applications are relative to the day of
the first run, so the demo always shows tenants inside and past their subsidy window.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.calendar import add_months
from core.money import quantize_money
from core.vocabulary import (
    Amenity,
    ApplicationStatus,
    CompanyKind,
    MemberRole,
    ParkStatus,
    Province,
    Role,
    Tier,
    UnitKind,
    WindowAnchor,
)
from core.vocabulary import Amenity as A
from parks.domain import default_monthly_rent
from parks.models import Park, ParkManagerAssignment, Unit
from parks.services import occupancy_refresh_all
from subsidies.models import SubsidyScheme
from tenants.models import Application, ApplicationTransition, Company, Lease, Membership
from tenants.services import lease_create

from .demo_returns import seed_returns

DEMO_PASSWORD = "stp-demo-2026"  # noqa: S105 - printed for the demo; never used in production


@dataclass(frozen=True)
class ParkSpec:
    code: str
    name: str
    city: str
    province: str
    tier: str
    status: str
    opening: date | None
    rate: str
    operator: str = ""
    offices: int = 0
    desks: int = 0
    lat: str | None = None
    lng: str | None = None
    description: str = ""


E, U, P = ParkStatus.EXISTING, ParkStatus.UPCOMING, ParkStatus.PLANNED
PUN, SIN, KP, BAL, GB, AJK, ICT = (
    Province.PUNJAB,
    Province.SINDH,
    Province.KHYBER_PAKHTUNKHWA,
    Province.BALOCHISTAN,
    Province.GILGIT_BALTISTAN,
    Province.AZAD_JAMMU_KASHMIR,
    Province.ISLAMABAD,
)
METRO, SEC, TER = Tier.METRO, Tier.SECONDARY, Tier.TERTIARY

PARKS: list[ParkSpec] = [
    # The five parks of the brochure, open today.
    ParkSpec(
        "GLT",
        "SCO Software Technology Park Gilgit",
        "Gilgit",
        GB,
        TER,
        E,
        date(2022, 11, 15),
        "55.00",
        "Special Communications Organization (SCO)",
        8,
        16,
        "35.920800",
        "74.308900",
        "The first park of the programme in Gilgit-Baltistan, with the region's fastest "
        "fibre link and backup power.",
    ),
    ParkSpec(
        "QTA",
        "UltraSoft STP Quetta",
        "Quetta",
        BAL,
        SEC,
        E,
        date(2023, 8, 1),
        "60.00",
        "UltraSoft",
        8,
        12,
        "30.183300",
        "66.999400",
        "IT-enabled office space for Quetta's 113 registered IT/ITeS companies.",
    ),
    ParkSpec(
        "AMZ",
        "Amazon Software Technology Park",
        "Islamabad",
        ICT,
        METRO,
        E,
        date(2023, 3, 1),
        "95.00",
        "Amazon Mall",
        10,
        20,
        "33.620500",
        "72.953700",
    ),
    ParkSpec(
        "GUJ",
        "Gujranwala STP",
        "Gujranwala",
        PUN,
        SEC,
        E,
        date(2023, 10, 2),
        "65.00",
        "PSEB",
        10,
        20,
        "32.161200",
        "74.188300",
        "Offices and a coworking floor for Gujranwala's freelancers and software houses.",
    ),
    ParkSpec(
        "JAM",
        "Sapphire STP Jamshoro",
        "Jamshoro",
        SIN,
        TER,
        E,
        date(2024, 1, 15),
        "50.00",
        "Sapphire",
        6,
        12,
        "25.430000",
        "68.280000",
    ),
    # Upcoming: applications accepted, leases start once they open.
    ParkSpec(
        "FSD",
        "Faisalabad STP",
        "Faisalabad",
        PUN,
        SEC,
        U,
        date(2027, 3, 1),
        "60.00",
        "PSEB",
        6,
        12,
        description="For Faisalabad's 455 registered IT/ITeS companies.",
    ),
    ParkSpec("SKR", "Sukkur STP", "Sukkur", SIN, TER, U, date(2027, 1, 15), "45.00", "PSEB", 4, 8),
    ParkSpec(
        "PSH", "Peshawar STP", "Peshawar", KP, SEC, U, date(2027, 6, 1), "60.00", "PSEB", 4, 8
    ),
    ParkSpec("MUL", "Multan STP", "Multan", PUN, SEC, U, date(2027, 4, 1), "55.00", "PSEB", 4, 8),
    ParkSpec("MZD", "Muzaffarabad STP", "Muzaffarabad", AJK, TER, U, date(2027, 9, 1), "45.00"),
    ParkSpec("BWP", "Bahawalpur STP", "Bahawalpur", PUN, TER, U, date(2027, 8, 1), "45.00"),
    ParkSpec("ABT", "Abbottabad STP", "Abbottabad", KP, TER, U, date(2027, 10, 1), "50.00"),
    ParkSpec("HYD", "Hyderabad STP", "Hyderabad", SIN, SEC, U, date(2027, 5, 1), "55.00"),
    # Planned, toward the 25-park plan: no applications yet.
    ParkSpec(
        "KIT",
        "Karachi IT Park",
        "Karachi",
        SIN,
        METRO,
        P,
        date(2028, 12, 1),
        "120.00",
        "PSEB",
        description="A US$186m IT park for Karachi, the programme's largest.",
    ),
    ParkSpec("LHR", "Lahore STP", "Lahore", PUN, METRO, P, None, "110.00"),
    ParkSpec("RWP", "Rawalpindi STP", "Rawalpindi", PUN, METRO, P, None, "95.00"),
    ParkSpec("SKT", "Sialkot STP", "Sialkot", PUN, SEC, P, None, "60.00"),
    ParkSpec("SGD", "Sargodha STP", "Sargodha", PUN, TER, P, None, "45.00"),
    ParkSpec("SKD", "Skardu STP", "Skardu", GB, TER, P, None, "45.00"),
    ParkSpec("GWD", "Gwadar STP", "Gwadar", BAL, TER, P, None, "45.00"),
    ParkSpec("TRB", "Turbat STP", "Turbat", BAL, TER, P, None, "40.00"),
    ParkSpec("MPR", "Mirpur STP", "Mirpur", AJK, TER, P, None, "45.00"),
    ParkSpec("DIK", "Dera Ismail Khan STP", "Dera Ismail Khan", KP, TER, P, None, "40.00"),
    ParkSpec("MRD", "Mardan STP", "Mardan", KP, TER, P, None, "40.00"),
    ParkSpec("LRK", "Larkana STP", "Larkana", SIN, TER, P, None, "40.00"),
]


# Where the parks without coordinates of their own are: their city's centre (issue 12 §4:
# every park on the map).
CITY_COORDINATES: dict[str, tuple[str, str]] = {
    "Faisalabad": ("31.418100", "73.079100"),
    "Sukkur": ("27.705200", "68.857400"),
    "Peshawar": ("34.015100", "71.524900"),
    "Multan": ("30.157500", "71.524900"),
    "Muzaffarabad": ("34.370000", "73.471100"),
    "Bahawalpur": ("29.395600", "71.683600"),
    "Abbottabad": ("34.146300", "73.211700"),
    "Hyderabad": ("25.396000", "68.377300"),
    "Karachi": ("24.860700", "67.001100"),
    "Lahore": ("31.549700", "74.343600"),
    "Rawalpindi": ("33.565100", "73.016900"),
    "Sialkot": ("32.492900", "74.531300"),
    "Sargodha": ("32.083600", "72.671100"),
    "Skardu": ("35.297100", "75.633300"),
    "Gwadar": ("25.126400", "62.322500"),
    "Turbat": ("26.001200", "63.048500"),
    "Mirpur": ("33.147800", "73.750800"),
    "Dera Ismail Khan": ("31.831300", "70.911700"),
    "Mardan": ("34.198200", "72.045800"),
    "Larkana": ("27.558400", "68.212100"),
}

# Who a visitor contacts at each open park, and what it offers (issue 12 §5). Names are
# made up; numbers are demo numbers; addresses of the e-mail are .example.pk.
OPEN_PARK_DETAILS: dict[str, tuple[str, str, list[Amenity]]] = {
    "GLT": (
        "Karim Baig, park manager",
        "+92 5811 000 101",
        [
            A.FIBRE,
            A.BACKUP_POWER,
            A.FURNISHED,
            A.MEETING_ROOMS,
            A.CAFETERIA,
            A.PRAYER_AREA,
            A.SECURITY,
            A.OPEN_24_7,
        ],
    ),
    "QTA": (
        "Naseer Ahmed Kakar, park manager",
        "+92 81 000 0102",
        [A.FIBRE, A.BACKUP_POWER, A.MEETING_ROOMS, A.TRAINING_ROOM, A.PARKING, A.SECURITY],
    ),
    "AMZ": (
        "Sana Malik, tenant services",
        "+92 51 000 0103",
        [
            A.FIBRE,
            A.BACKUP_POWER,
            A.FURNISHED,
            A.MEETING_ROOMS,
            A.CONFERENCE_HALL,
            A.CAFETERIA,
            A.DAYCARE,
            A.PARKING,
            A.SECURITY,
            A.AIR_CONDITIONING,
            A.STEP_FREE,
        ],
    ),
    "GUJ": (
        "Usman Tariq, park manager",
        "+92 55 000 0104",
        [
            A.FIBRE,
            A.BACKUP_POWER,
            A.MEETING_ROOMS,
            A.TRAINING_ROOM,
            A.PRAYER_AREA,
            A.WOMENS_ROOM,
            A.PARKING,
            A.SECURITY,
            A.AIR_CONDITIONING,
        ],
    ),
    "JAM": (
        "Rukhsana Memon, park manager",
        "+92 22 000 0105",
        [A.FIBRE, A.BACKUP_POWER, A.FURNISHED, A.CAFETERIA, A.PRAYER_AREA, A.SECURITY],
    ),
}
# Parks not open yet: PSEB's programme office answers, and what is planned for them.
PSEB_CONTACT = ("STP programme office, PSEB", "+92 51 000 0100")
PLANNED_AMENITIES = [A.FIBRE, A.BACKUP_POWER, A.MEETING_ROOMS, A.SECURITY]


def _park_details(spec: ParkSpec) -> dict[str, Any]:
    """The contact, amenities and coordinates the demo gives a park."""
    name, phone, amenities = OPEN_PARK_DETAILS.get(
        spec.code, (*PSEB_CONTACT, PLANNED_AMENITIES if spec.status != P else [])
    )
    lat, lng = (spec.lat, spec.lng) if spec.lat else CITY_COORDINATES.get(spec.city, ("", ""))
    return {
        "contact_name": name,
        "contact_phone": phone,
        "contact_email": f"{spec.code.lower()}@stp.example.pk",
        "amenities": [str(a) for a in amenities],
        "latitude": Decimal(lat) if lat else None,
        "longitude": Decimal(lng) if lng else None,
    }


@dataclass(frozen=True)
class CompanySpec:
    slug: str
    name: str
    kind: str
    city: str
    headcount: int
    women: int
    export_usd: str
    services: str
    members: tuple[str, ...] = field(default=())


C, F = CompanyKind.COMPANY, CompanyKind.FREELANCER
COMPANIES: list[CompanySpec] = [
    CompanySpec(
        "karakoram",
        "Karakoram Code Works (Pvt) Ltd",
        C,
        "Gilgit",
        24,
        9,
        "310000.00",
        "Web and mobile apps, QA",
        ("member.karakoram",),
    ),
    CompanySpec(
        "hunzadev",
        "Hunza Women Developers (Pvt) Ltd",
        C,
        "Gilgit",
        11,
        10,
        "95000.00",
        "Android apps, UI design",
    ),
    CompanySpec(
        "bolan",
        "Bolan Data Systems (Pvt) Ltd",
        C,
        "Quetta",
        32,
        7,
        "540000.00",
        "Data engineering, BI dashboards",
    ),
    CompanySpec(
        "chiltan",
        "Chiltan Cloud Services",
        C,
        "Quetta",
        14,
        3,
        "120000.00",
        "Cloud operations, DevOps",
    ),
    CompanySpec(
        "lyallpur",
        "Lyallpur Software House (Pvt) Ltd",
        C,
        "Faisalabad",
        45,
        12,
        "880000.00",
        "E-commerce platforms, ERP for textile exporters",
    ),
    CompanySpec(
        "chenab",
        "Chenab Digital (Pvt) Ltd",
        C,
        "Gujranwala",
        28,
        8,
        "410000.00",
        "Shopify and WordPress development",
    ),
    CompanySpec(
        "indus",
        "Indus Valley AI (Pvt) Ltd",
        C,
        "Jamshoro",
        16,
        6,
        "150000.00",
        "Machine learning, data labelling",
    ),
    CompanySpec(
        "sukkurbridge",
        "Sukkur Bridge Technologies",
        C,
        "Sukkur",
        9,
        2,
        "60000.00",
        "Customer support (ITeS), BPO",
    ),
    CompanySpec(
        "margalla",
        "Margalla Systems (Pvt) Ltd",
        C,
        "Islamabad",
        60,
        18,
        "1500000.00",
        "Fintech software, security audits",
    ),
    # Tenants whose windows close one after another, and two onboarded from before the portal.
    CompanySpec(
        "nanga",
        "Nanga Parbat Labs (Pvt) Ltd",
        C,
        "Gilgit",
        13,
        5,
        "140000.00",
        "Game development, 3D art",
    ),
    CompanySpec(
        "potohar",
        "Potohar Analytics (Pvt) Ltd",
        C,
        "Islamabad",
        22,
        8,
        "620000.00",
        "Data analytics for telecom operators",
    ),
    CompanySpec(
        "sariab",
        "Sariab Soft (Pvt) Ltd",
        C,
        "Quetta",
        12,
        3,
        "85000.00",
        "Accounting and payroll software",
    ),
    CompanySpec(
        "kohinoor",
        "Kohinoor Digital (Pvt) Ltd",
        C,
        "Gujranwala",
        35,
        9,
        "450000.00",
        "ERP for manufacturers",
    ),
    CompanySpec(
        "mehran",
        "Mehran Tech Solutions",
        C,
        "Jamshoro",
        18,
        5,
        "130000.00",
        "Contact-centre software, Sindhi localisation",
    ),
    CompanySpec(
        "f.ayesha",
        "Ayesha Siddiqa (freelancer)",
        F,
        "Gilgit",
        1,
        1,
        "38000.00",
        "Front-end React development",
    ),
    CompanySpec(
        "f.bilal",
        "Bilal Ahmed (freelancer)",
        F,
        "Gujranwala",
        1,
        0,
        "21000.00",
        "Video editing and motion graphics",
    ),
    CompanySpec(
        "f.sana", "Sana Baloch (freelancer)", F, "Quetta", 1, 1, "17500.00", "Content writing, SEO"
    ),
    CompanySpec(
        "f.faraz",
        "Faraz Memon (freelancer)",
        F,
        "Sukkur",
        1,
        0,
        "12000.00",
        "Python automation, web scraping",
    ),
    # Returns' stories (stp_portal/demo_returns.py): a Gilgit freelancer who grows into a team
    # of five, and a women-led company in Quetta.
    CompanySpec(
        "f.wajid",
        "Wajid Hussain (freelancer)",
        F,
        "Gilgit",
        5,
        2,
        "52000.00",
        "Flutter apps, now with a team of five",
    ),
    CompanySpec(
        "zarghun",
        "Zarghun Women Tech (Pvt) Ltd",
        C,
        "Quetta",
        14,
        11,
        "160000.00",
        "Mobile apps and QA, founded and run by women",
    ),
    CompanySpec(
        "f.hira",
        "Hira Qureshi (freelancer)",
        F,
        "Faisalabad",
        1,
        1,
        "26000.00",
        "Graphic design, branding",
    ),
]


@dataclass(frozen=True)
class LeaseSpec:
    company: str
    park: str
    units: tuple[str, ...]
    start_months_ago: int
    start_day: int
    length_months: int | None = None  # None: open-ended
    terminated: bool = False
    # Terminated once the demo's months are billed, its end dated back into this many months
    # ago (the 15th): the termination's credit notes credit the billed days after it.
    terminate_back: int | None = None


LEASES: list[LeaseSpec] = [
    # Over a year ago: past the 12-month subsidy window.
    LeaseSpec("karakoram", "GLT", ("A-101", "A-102"), 20, 1),
    LeaseSpec("bolan", "QTA", ("A-101",), 26, 1),
    LeaseSpec("margalla", "AMZ", ("A-101", "A-102", "A-103"), 30, 1, 36),
    LeaseSpec("chenab", "GUJ", ("A-101",), 14, 15),
    # Inside the subsidy window.
    LeaseSpec("hunzadev", "GLT", ("A-103",), 4, 15),
    LeaseSpec("chiltan", "QTA", ("A-102",), 7, 1, 24),
    LeaseSpec("indus", "JAM", ("A-101",), 2, 10),
    LeaseSpec("f.ayesha", "GLT", ("D-01",), 3, 1, 12),
    LeaseSpec("f.bilal", "GUJ", ("D-01",), 5, 20, 12),
    LeaseSpec("f.sana", "QTA", ("D-01",), 1, 5),
    # Four quarters of progress returns each (stp_portal/demo_returns.py).
    LeaseSpec("f.wajid", "GLT", ("D-05",), 14, 1),
    LeaseSpec("zarghun", "QTA", ("D-05", "D-06"), 13, 10),
    # Signed for 12 months, terminated after 8.
    LeaseSpec("lyallpur", "GUJ", ("A-102",), 18, 1, 12, terminated=True),
    # Starts next month: the unit shows as reserved.
    LeaseSpec("lyallpur", "GUJ", ("A-103", "A-104"), -1, 1),
    # Windows closing one a month over the coming months: the liability falls as they close.
    LeaseSpec("nanga", "GLT", ("A-104",), 11, 1),
    LeaseSpec("potohar", "AMZ", ("A-104",), 10, 1),
    LeaseSpec("sariab", "QTA", ("A-103",), 9, 12),
    LeaseSpec("f.hira", "GUJ", ("D-02",), 8, 15),
    LeaseSpec("f.faraz", "JAM", ("D-02",), 6, 1, 12),
    # Onboarded tenants from before the portal, recorded with their past start: one window
    # closes this month, the other closed last month (subsidy given, then none).
    LeaseSpec("kohinoor", "GUJ", ("B-201",), 12, 20),
    LeaseSpec("mehran", "JAM", ("A-102",), 13, 1),
    # Left its Jamshoro desks for its own office in Sukkur: terminated after billing, the end
    # dated back into a billed month (credit notes crediting charges, reversing subsidy).
    LeaseSpec("sukkurbridge", "JAM", ("D-03", "D-04"), 6, 1, terminate_back=2),
]


@dataclass(frozen=True)
class ApplicationSpec:
    company: str
    park: str
    status: str
    unit_kind: str
    seats: int
    area: str
    start_in_months: int
    returned_once: bool = False
    lease_units: tuple[str, ...] = ()
    # When it was (last) submitted, in days before the demo's day; an approved one with a
    # lease was decided a week before the lease began instead.
    submitted_days_ago: int = 3
    # Days from submission to the decision (or to the withdrawal or return).
    decision_days: int = 6
    comment: str = ""  # the decision's comment, when not the path's


S = ApplicationStatus
APPLICATIONS: list[ApplicationSpec] = [
    ApplicationSpec("f.faraz", "SKR", S.DRAFT, UnitKind.DESK, 1, "0", 2),
    # Waiting for a decision: 40, 12 and 3 days.
    ApplicationSpec(
        "sukkurbridge", "SKR", S.SUBMITTED, UnitKind.OFFICE, 9, "900", 3, submitted_days_ago=40
    ),
    ApplicationSpec(
        "lyallpur", "FSD", S.UNDER_REVIEW, UnitKind.OFFICE, 40, "3500", 4, submitted_days_ago=12
    ),
    ApplicationSpec("f.hira", "FSD", S.SUBMITTED, UnitKind.DESK, 1, "0", 4, submitted_days_ago=3),
    # Decided over the last months, after waits of different lengths.
    ApplicationSpec(
        "chenab",
        "JAM",
        S.REJECTED,
        UnitKind.OFFICE,
        10,
        "1000",
        1,
        submitted_days_ago=75,
        decision_days=21,
    ),
    ApplicationSpec(
        "f.ayesha",
        "AMZ",
        S.REJECTED,
        UnitKind.DESK,
        1,
        "0",
        1,
        submitted_days_ago=50,
        decision_days=16,
        comment="Islamabad's desks are for freelancers based in Islamabad and Rawalpindi.",
    ),
    ApplicationSpec(
        "bolan",
        "AMZ",
        S.REJECTED,
        UnitKind.OFFICE,
        12,
        "1200",
        1,
        submitted_days_ago=130,
        decision_days=35,
        comment="No office of this size is free at the Amazon park; please apply again in "
        "the spring.",
    ),
    ApplicationSpec(
        "margalla",
        "GUJ",
        S.WITHDRAWN,
        UnitKind.OFFICE,
        15,
        "1500",
        2,
        submitted_days_ago=30,
        decision_days=5,
    ),
    ApplicationSpec(
        "indus",
        "QTA",
        S.DRAFT,
        UnitKind.OFFICE,
        6,
        "600",
        2,
        returned_once=True,
        submitted_days_ago=20,
        decision_days=8,
    ),
    ApplicationSpec(
        "hunzadev",
        "GLT",
        S.APPROVED,
        UnitKind.OFFICE,
        10,
        "800",
        -4,
        lease_units=("A-103",),
        decision_days=12,
    ),
    ApplicationSpec(
        "f.sana",
        "QTA",
        S.APPROVED,
        UnitKind.DESK,
        1,
        "0",
        -1,
        lease_units=("D-01",),
        decision_days=4,
    ),
    ApplicationSpec(
        "nanga",
        "GLT",
        S.APPROVED,
        UnitKind.OFFICE,
        8,
        "950",
        -11,
        lease_units=("A-104",),
        decision_days=18,
    ),
    ApplicationSpec(
        "potohar",
        "AMZ",
        S.APPROVED,
        UnitKind.OFFICE,
        16,
        "1300",
        -10,
        lease_units=("A-104",),
        decision_days=9,
    ),
    ApplicationSpec(
        "sariab",
        "QTA",
        S.APPROVED,
        UnitKind.OFFICE,
        8,
        "1300",
        -9,
        lease_units=("A-103",),
        decision_days=25,
    ),
    ApplicationSpec(
        "f.hira",
        "GUJ",
        S.APPROVED,
        UnitKind.DESK,
        1,
        "0",
        -8,
        lease_units=("D-02",),
        decision_days=7,
    ),
    ApplicationSpec(
        "f.faraz",
        "JAM",
        S.APPROVED,
        UnitKind.DESK,
        1,
        "0",
        -6,
        lease_units=("D-02",),
        decision_days=5,
    ),
    ApplicationSpec(
        "sukkurbridge",
        "JAM",
        S.APPROVED,
        UnitKind.DESK,
        2,
        "0",
        -6,
        lease_units=("D-03",),
        decision_days=30,
    ),
]

# The path an application took to reach each demo state: (action, from, to, comment).
PATHS: dict[str, list[tuple[str, str, str, str]]] = {
    S.DRAFT: [],
    S.SUBMITTED: [("submit", S.DRAFT, S.SUBMITTED, "")],
    S.UNDER_REVIEW: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        ("review", S.SUBMITTED, S.UNDER_REVIEW, "Documents received; checking references."),
    ],
    S.APPROVED: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        ("review", S.SUBMITTED, S.UNDER_REVIEW, ""),
        ("approve", S.UNDER_REVIEW, S.APPROVED, "Units allocated."),
    ],
    S.REJECTED: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        ("review", S.SUBMITTED, S.UNDER_REVIEW, ""),
        (
            "reject",
            S.UNDER_REVIEW,
            S.REJECTED,
            "No office of the requested size is free at Jamshoro this year.",
        ),
    ],
    S.WITHDRAWN: [
        ("submit", S.DRAFT, S.SUBMITTED, ""),
        ("withdraw", S.SUBMITTED, S.WITHDRAWN, "We found space closer to our team."),
    ],
}
RETURNED = [
    ("submit", S.DRAFT, S.SUBMITTED, ""),
    ("review", S.SUBMITTED, S.UNDER_REVIEW, ""),
    ("return", S.UNDER_REVIEW, S.DRAFT, "Please attach your PSEB registration certificate."),
]


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self, what: str, was_created: bool) -> None:
        self.created[what] = self.created.get(what, 0) + int(was_created)


@transaction.atomic
def seed_demo(today: date | None = None) -> SeedReport:
    today = today or timezone.localdate()
    report = SeedReport()

    def ensure_user(username: str, role: str, label: str, **extra: Any) -> User:
        user = User.objects.filter(username=username).first()
        created = user is None
        if user is None:
            user = User(
                username=username,
                role=role,
                email=f"{username}@example.pk",
                email_verified_at=timezone.now(),
                **extra,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        report.count("users", created)
        report.logins.append((label, username, DEMO_PASSWORD))
        return user

    pseb = ensure_user(
        "pseb",
        Role.PSEB,
        "PSEB staff (and admin)",
        is_staff=True,
        is_superuser=True,
        first_name="Programme",
        last_name="Office",
    )

    parks: dict[str, Park] = {}
    for spec in PARKS:
        park, created = Park.objects.get_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "city": spec.city,
                "province": spec.province,
                "tier": spec.tier,
                "status": spec.status,
                "opening_date": spec.opening,
                "rent_per_sqft": Decimal(spec.rate),
                "operator": spec.operator,
                "description": spec.description,
                "address": f"{spec.name}, {spec.city}",
                **_park_details(spec),
            },
        )
        if not created and not (park.contact_phone or park.amenities):
            # A demo seeded before parks had contacts and amenities: add them once.
            for name, value in _park_details(spec).items():
                if getattr(park, name) in (None, "", []):
                    setattr(park, name, value)
            park.save()
        report.count("parks", created)
        parks[spec.code] = park
        _ensure_units(report, park, spec)

    _scheme, created = SubsidyScheme.objects.get_or_create(
        name="STP tenant subsidy 2022",
        defaults={
            "internet_pct": Decimal("100.00"),
            "rent_pct": Decimal("25.00"),
            "duration_months": 12,
            "valid_from": date(2022, 7, 1),
            "anchor": WindowAnchor.LEASE_START,
        },
    )
    report.count("subsidy schemes", created)

    for username, codes, label in [
        ("manager.gilgit", ["GLT"], "Park manager (Gilgit)"),
        ("manager.punjab", ["GUJ", "FSD"], "Park manager (Gujranwala, Faisalabad)"),
    ]:
        manager = ensure_user(username, Role.PARK_MANAGER, label)
        for code in codes:
            _, created = ParkManagerAssignment.objects.get_or_create(user=manager, park=parks[code])
            report.count("manager assignments", created)

    companies: dict[str, Company] = {}
    owners: dict[str, User] = {}
    for company_spec in COMPANIES:
        company, created = Company.objects.get_or_create(
            name=company_spec.name,
            defaults={
                "kind": company_spec.kind,
                "city": company_spec.city,
                "headcount": company_spec.headcount,
                "women_headcount": company_spec.women,
                "export_earnings_usd": Decimal(company_spec.export_usd),
                "services": company_spec.services,
                "pseb_registration": f"PSEB-{company_spec.slug.replace('.', '-').upper()}",
                "ntn": f"{sum(map(ord, company_spec.slug)) * 1009 % 9_000_000 + 1_000_000}-"
                f"{len(company_spec.slug) % 10}",
                "secp_number": f"0{sum(map(ord, company_spec.slug)) * 37 % 900_000 + 100_000}"
                if company_spec.kind == CompanyKind.COMPANY
                else "",
                "website": f"https://{company_spec.slug.replace('f.', '')}.example.pk"
                if company_spec.kind == CompanyKind.COMPANY
                else "",
            },
        )
        report.count("companies", created)
        companies[company_spec.slug] = company
        prefix = "freelancer" if company_spec.kind == CompanyKind.FREELANCER else "owner"
        name = company_spec.slug.removeprefix("f.")
        owner = ensure_user(f"{prefix}.{name}", Role.COMPANY, f"Company owner: {company_spec.name}")
        owners[company_spec.slug] = owner
        _, created = Membership.objects.get_or_create(
            user=owner, defaults={"company": company, "role": MemberRole.OWNER}
        )
        report.count("memberships", created)
        for member_name in company_spec.members:
            member = ensure_user(member_name, Role.COMPANY, f"Company member: {company_spec.name}")
            _, created = Membership.objects.get_or_create(
                user=member, defaults={"company": company, "role": MemberRole.MEMBER}
            )
            report.count("memberships", created)

    leases: dict[tuple[str, str, str], Lease] = {}
    for lease_spec in LEASES:
        lease = _ensure_lease(
            report, lease_spec, today, companies[lease_spec.company], parks[lease_spec.park], pseb
        )
        leases[(lease_spec.company, lease_spec.park, lease_spec.units[0])] = lease

    for application_spec in APPLICATIONS:
        _ensure_application(
            report,
            application_spec,
            today,
            companies[application_spec.company],
            parks[application_spec.park],
            owners[application_spec.company],
            pseb,
            leases,
        )

    _ensure_payment_instructions(report, pseb)
    _ensure_billing(report, today, pseb)
    seed_returns(report, today, {spec.slug: spec for spec in COMPANIES}, owners)
    # The units and a termination above were written in bulk: each park's stored figures.
    occupancy_refresh_all()

    # Only the logins worth showing in the README and at the end of the run.
    shown = {
        "pseb",
        "manager.gilgit",
        "manager.punjab",
        "owner.karakoram",
        "member.karakoram",
        "freelancer.ayesha",
        "freelancer.wajid",
        "owner.bolan",
    }
    report.logins = [row for row in report.logins if row[1] in shown]
    return report


def _ensure_units(report: SeedReport, park: Park, spec: ParkSpec) -> None:
    existing = set(park.units.values_list("code", flat=True))
    new_units = []
    for i in range(spec.offices):
        code = f"A-{101 + i}" if i < 5 else f"B-{201 + i - 5}"
        if code in existing:
            continue
        area = Decimal(600 + (i % 5) * 350)
        new_units.append(
            Unit(
                park=park,
                code=code,
                floor="1" if i < 5 else "2",
                kind=UnitKind.OFFICE,
                area_sqft=area,
                seats=int(area // 80),
                monthly_rent=default_monthly_rent(area, park.rent_per_sqft),
                internet_fee=Decimal(5000 + (i % 3) * 2500),
                under_maintenance=(i == spec.offices - 1 and park.status == ParkStatus.EXISTING),
            )
        )
    for i in range(spec.desks):
        code = f"D-{i + 1:02d}"
        if code in existing:
            continue
        new_units.append(
            Unit(
                park=park,
                code=code,
                floor="Ground",
                kind=UnitKind.DESK,
                area_sqft=Decimal(45),
                seats=1,
                monthly_rent=Decimal(7500) if park.tier != Tier.METRO else Decimal(12000),
                internet_fee=Decimal(1500),
            )
        )
    Unit.objects.bulk_create(new_units)
    report.created["units"] = report.created.get("units", 0) + len(new_units)


def _ensure_lease(
    report: SeedReport, spec: LeaseSpec, today: date, company: Company, park: Park, pseb: User
) -> Lease:
    lease = Lease.objects.filter(
        company=company, park=park, lease_units__unit__code=spec.units[0]
    ).first()
    if lease is not None:
        report.count("leases", False)
        return lease
    month_start = add_months(today.replace(day=1), -spec.start_months_ago)
    start = month_start.replace(
        day=min(spec.start_day, calendar.monthrange(month_start.year, month_start.month)[1])
    )
    if park.opening_date is not None:  # a planned park has no opening date yet
        start = max(start, park.opening_date)
    end = None
    if spec.length_months is not None:
        end = add_months(start, spec.length_months) - timedelta(days=1)
    units = list(park.units.filter(code__in=spec.units))
    lease = lease_create(
        company=company, park=park, units=units, start_date=start, end_date=end, created_by=pseb
    )
    if spec.terminated:
        end = add_months(start, 8) - timedelta(days=1)
        lease.end_date = end
        lease.lease_units.update(end_date=end)
        lease.terminated_at = timezone.make_aware(datetime.combine(end, time(17, 0)))
        lease.termination_reason = "Company moved to a larger office in Faisalabad."
        lease.save(update_fields=["end_date", "terminated_at", "termination_reason", "updated_at"])
    report.count("leases", True)
    return lease


def _ensure_application(
    report: SeedReport,
    spec: ApplicationSpec,
    today: date,
    company: Company,
    park: Park,
    owner: User,
    pseb: User,
    leases: dict[tuple[str, str, str], Lease],
) -> None:
    if Application.objects.filter(company=company, park=park).exists():
        report.count("applications", False)
        return
    start = add_months(today.replace(day=1), spec.start_in_months)
    lease = leases.get((spec.company, spec.park, spec.lease_units[0])) if spec.lease_units else None
    if lease is not None:
        start = lease.start_date
    elif park.opening_date and start < park.opening_date:
        start = park.opening_date
    application = Application.objects.create(
        company=company,
        park=park,
        seats=spec.seats,
        area_sqft=Decimal(spec.area),
        unit_kind=spec.unit_kind,
        desired_start=start,
        duration_months=12,
        business_plan=f"{company.name} will grow its {company.services.lower()} team in "
        f"{park.city} and hire local graduates.",
        status=spec.status,
        lease=lease,
        created_by=owner,
    )
    path = (RETURNED if spec.returned_once else []) + PATHS[spec.status]
    # The history is written with its past dates (the services stamp "now"): a documented
    # update of demo rows, so the pipeline report shows real waits and decision times.
    now = timezone.now()
    days = _history_days(path, spec, today, lease)
    stamps = [
        min(timezone.make_aware(datetime.combine(day, time(10, 30))) + timedelta(hours=i), now)
        for i, day in enumerate(days)
    ]
    opened = (days[0] if days else today) - timedelta(days=2)
    created = timezone.make_aware(datetime.combine(opened, time(9, 15)))
    Application.objects.filter(pk=application.pk).update(created_at=min(created, now))
    for (action, from_status, to_status, comment), stamp in zip(path, stamps, strict=True):
        actor = owner if action in ("submit", "withdraw") else pseb
        if to_status in (S.APPROVED, S.REJECTED) and spec.comment:
            comment = spec.comment
        step = ApplicationTransition.objects.create(
            application=application,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
        )
        ApplicationTransition.objects.filter(pk=step.pk).update(created_at=stamp)
        if action == "submit":  # the latest submission, as the service records it
            application.submitted_at = stamp
        if to_status in (S.APPROVED, S.REJECTED):
            application.decided_at = stamp
    application.save(update_fields=["submitted_at", "decided_at"])
    report.count("applications", True)


def _history_days(
    path: list[tuple[str, str, str, str]],
    spec: ApplicationSpec,
    today: date,
    lease: Lease | None,
) -> list[date]:
    """The day of each step of ``path``: the (last) submission ``submitted_days_ago`` (an
    approved application with a lease: decided a week before the lease began,
    ``decision_days`` after its submission); a review two days after submitting; the step
    that ends the path (decision, withdrawal, return) ``decision_days`` after it; an earlier
    round (returned for changes) three days a step before it."""
    if not path:
        return []
    last_submit = max(i for i, step in enumerate(path) if step[0] == "submit")
    if lease is not None:
        decided = lease.start_date - timedelta(days=7)
        submitted = decided - timedelta(days=spec.decision_days)
    else:
        submitted = today - timedelta(days=spec.submitted_days_ago)
        decided = submitted + timedelta(days=spec.decision_days)
    days = [submitted - timedelta(days=3 * (last_submit - i)) for i in range(last_submit)]
    days.append(submitted)
    after = path[last_submit + 1 :]
    for j, (action, _from, _to, _comment) in enumerate(after, start=1):
        if j == len(after) and action != "review":
            days.append(decided)
        else:
            days.append(min(submitted + timedelta(days=2 * j), decided - timedelta(days=1)))
    return days


BILLED_MONTHS = 12


# Stopped paying five months ago: its unpaid statements fill the ageing buckets up to "over 90".
CHRONIC_DEBTOR = "Mehran Tech Solutions"


# How many days ago, at most, the statements of the month ``months_back`` were issued (due 15
# days after): the latest not due yet, then about 25, 50 and 80 days overdue at the most.
ISSUED_DAYS_AGO = {1: 3, 2: 40, 3: 65, 4: 95} | dict.fromkeys(range(5, BILLED_MONTHS + 1), 10_000)


def _ensure_billing(report: SeedReport, today: date, pseb: User) -> None:
    """Statements for the last ``BILLED_MONTHS`` months that have ended, issued after each
    (on the 1st, or later: ``ISSUED_DAYS_AGO``), with payments that leave balances of every
    age (domain.md §7.4): older months paid, except by one company that stopped paying; the
    last four months paid in full, in part or not at all; the latest month not due yet. Two
    credit notes by hand, and a lease terminated back into a billed month (its credit notes
    credit the charges and reverse the subsidy of the days after its end, §7.2).

    Done once, when the demo is first loaded: a second run changes nothing. The PDFs are
    rendered by the ``seed_demo`` command (``render_demo_pdfs``), not here: tests seed often.
    """
    from core.calendar import Period
    from subsidies import services as billing
    from subsidies.models import BillingRun, Statement

    if BillingRun.objects.exists():
        return  # billed when the demo was first loaded; a later day adds nothing
    period = Period.of(today)
    for months_back in range(BILLED_MONTHS, 0, -1):
        month = period
        for _ in range(months_back):
            month = month.previous()
        # Issued on the 1st after the month, or later: the latest a few days ago, so it is
        # not due yet, and the three before it late enough (at most) that their unpaid
        # balances are 1–30, 31–60 and 61–90 days overdue whatever the day of the month.
        issued_on = max(month.next().first, today - timedelta(days=ISSUED_DAYS_AGO[months_back]))
        run = billing.billing_run_start(user=pseb, period=month, today=issued_on, queue=False)
        issued: list[int] = []
        for chunk_id in billing.billing_run_plan(run.pk):
            issued += billing.billing_chunk_bill(chunk_id, today=issued_on, render=False)
        report.count("billing runs", True)
        statements = list(
            Statement.objects.filter(pk__in=issued)
            .select_related("company")
            .order_by("park__code", "number")
        )
        report.created["statements"] = report.created.get("statements", 0) + len(statements)
        if months_back == 1:
            # The latest month is not due yet: one statement part paid already, the rest not.
            if statements and statements[0].net_payable > 1:
                billing.payment_record(
                    user=pseb,
                    statement=statements[0],
                    amount=quantize_money(statements[0].net_payable / 2),
                    paid_on=issued_on,
                    reference=f"HBL-{statements[0].number}",
                    today=today,
                    notify=False,
                )
            continue
        for index, statement in enumerate(statements):
            # Paid within 10 to 24 days of issue (received by payment date, month by month).
            paid_on = min(issued_on + timedelta(days=10 + 7 * (index % 3)), today)
            if statement.company.name == CHRONIC_DEBTOR and months_back <= 5:
                continue  # unpaid: over 90 days overdue by now for the oldest
            if months_back > 5 or index % 4 == 0:
                amount = statement.net_payable
            elif index % 4 == 1:
                amount = quantize_money(statement.net_payable / 2)
            else:
                continue  # unpaid: overdue once its due date has passed
            if amount > 0:
                billing.payment_record(
                    user=pseb,
                    statement=statement,
                    amount=amount,
                    paid_on=paid_on,
                    reference=f"HBL-{statement.number}",
                    today=today,
                    notify=False,
                )
        if months_back == 3 and len(statements) > 6:
            billing.credit_note_issue(
                user=pseb,
                statement=statements[6],
                reason="Billed in error: the lease was entered twice.",
                today=issued_on + timedelta(days=2),
            )
            billing.credit_note_issue(
                user=pseb,
                statement=statements[3],
                reason="Air conditioning out of order for a week; part of the rent credited.",
                amount=Decimal("1500.00"),
                today=issued_on + timedelta(days=5),
            )
    _terminate_back(report, today, pseb)
    _allocated_payment(report, today, pseb)


# Each park's bank account (issue 12 §6): made-up account numbers with real check digits.
DEMO_BANKS = (("HABB", "Habib Bank Limited"), ("MUCB", "MCB Bank"), ("UNIL", "United Bank"))


def _ensure_payment_instructions(report: SeedReport, pseb: User) -> None:
    """Payment instructions for every park that has none, before billing, so the demo's
    statements print where to pay (the reference: the statement number; one park asks for
    the company's PSEB registration number instead)."""
    from core.vocabulary import PaymentReference
    from subsidies import services as billing
    from subsidies.iban import pk_iban
    from subsidies.models import PaymentInstruction

    have = set(PaymentInstruction.objects.values_list("park_id", flat=True))
    for index, park in enumerate(Park.objects.order_by("code")):
        if park.pk in have:
            report.count("payment instructions", False)
            continue
        code, bank = DEMO_BANKS[index % len(DEMO_BANKS)]
        billing.payment_instruction_save(
            user=pseb,
            park=park,
            data=billing.InstructionInput(
                bank_name=bank,
                account_title=f"PSEB Software Technology Park {park.city}",
                iban=pk_iban(code, f"{park.pk:04d}{index:04d}00112233"),
                reference=PaymentReference.COMPANY if index == 1 else PaymentReference.STATEMENT,
            ),
        )
        report.count("payment instructions", True)


def _allocated_payment(report: SeedReport, today: date, pseb: User) -> None:
    """One payment received from a company that owes two statements or more at a park (not
    the one that stopped paying), allocated oldest first: its receipt is on that company's
    account."""
    from subsidies import services as billing
    from subsidies.models import Statement

    owing = (
        Statement.objects.filter(outstanding__gt=0)
        .exclude(company__name=CHRONIC_DEBTOR)
        .order_by("company_id", "park_id", "due_date")
        .values_list("company_id", "park_id", "outstanding")
    )
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for company_id, park_id, outstanding in owing:
        totals.setdefault((company_id, park_id), []).append(outstanding)
    for (company_id, park_id), amounts in sorted(totals.items()):
        if len(amounts) < 2:
            continue
        company = Company.objects.get(pk=company_id)
        park = Park.objects.get(pk=park_id)
        # The oldest statement in full, and part of the next.
        amount = amounts[0] + quantize_money(amounts[1] / 3)
        billing.payment_receive(
            user=pseb,
            company=company,
            park=park,
            amount=amount,
            paid_on=today,
            reference=f"IBFT-{company_id:04d}-{park.code}",
            today=today,
            notify=False,
        )
        report.count("allocated payments", True)
        return


def _terminate_back(report: SeedReport, today: date, pseb: User) -> None:
    """Terminate the leases marked ``terminate_back`` through the lease service, their end
    dated back into a billed month: billing's lease listener credits what the billed months
    charged after it (credit notes with their lines), dated on the
    demo's day (``today``), as every service the seed calls.
    """
    from tenants.services import lease_terminate

    for spec in LEASES:
        if spec.terminate_back is None:
            continue
        lease = Lease.objects.filter(
            company__name=_company_name(spec.company),
            park__code=spec.park,
            lease_units__unit__code=spec.units[0],
            terminated_at__isnull=True,
        ).first()
        if lease is None:
            continue
        end = add_months(today.replace(day=1), -spec.terminate_back).replace(day=15)
        termination = lease_terminate(
            user=pseb,
            lease=lease,
            end_date=end,
            reason="Moved to the company's own office in Sukkur.",
            today=today,
        )
        ids = [note.pk for note in termination.credit_notes_issued]
        report.count("terminations", True)
        report.created["credit notes"] = report.created.get("credit notes", 0) + len(ids)


def _company_name(slug: str) -> str:
    return next(spec.name for spec in COMPANIES if spec.slug == slug)


PDF_MONTHS = 2  # the command renders the PDFs of the latest months' statements only


def render_demo_pdfs(months: int | None = PDF_MONTHS) -> int:
    """Render the PDFs of demo statements that have none yet (no e-mails are sent): those of
    the latest ``months`` billed months (None: all; about a second a statement)."""
    from subsidies import services as billing
    from subsidies.models import Statement

    missing = Statement.objects.filter(pdf="")
    if months is not None:
        latest = list(
            Statement.objects.order_by("-period")
            .values_list("period", flat=True)
            .distinct()[:months]
        )
        missing = missing.filter(period__in=latest)
    return len(billing.statements_render(list(missing.values_list("pk", flat=True))))
