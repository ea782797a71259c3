"""Demo data: LAs in England and Wales, their schools and agencies, and their users.

Everything is drawn from a seeded random generator, so every run gives the same schools with
the same numbers, and the printed accounts always work. Loading twice changes nothing. The
schools the README's examples use (8383321, 8384512) and DESIGN.md's Welsh example (6812345)
are always there. A month of files, lost pupils and messages is `demo_month.py`'s.
"""

import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from s2s.accounts.models import User
from s2s.accounts.roles import SCOPE_OF_ROLE, Role, ScopeKind
from s2s.directory.models import (
    Agency,
    AgencyKind,
    Establishment,
    EstablishmentStatus,
    LocalAuthority,
    Nation,
)

SEED = "s2s-demo-2004"
# Every demo account shares this password (they are demo accounts, not people's).
DEMO_PASSWORD = "demo-password-s2s"


@dataclass(frozen=True)
class Place:
    name: str  # used in school names
    town: str
    district: str  # postcode district
    area_code: str  # telephone


@dataclass(frozen=True)
class DemoLA:
    number: str
    name: str
    nation: str
    domain: str
    places: tuple[Place, ...]


def _places(town: str, district_and_code: str, *names: str) -> tuple[Place, ...]:
    district, code = district_and_code.split("/")
    return tuple(Place(name, town, district, code) for name in names)


LAS = [
    DemoLA("838", "Dorset", Nation.ENGLAND, "dorset", (
        Place("Dorchester", "Dorchester", "DT1", "01305"),
        Place("Weymouth", "Weymouth", "DT4", "01305"),
        Place("Bridport", "Bridport", "DT6", "01308"),
        Place("Sherborne", "Sherborne", "DT9", "01935"),
        Place("Blandford", "Blandford Forum", "DT11", "01258"),
        Place("Wimborne", "Wimborne Minster", "BH21", "01202"),
        Place("Gillingham", "Gillingham", "SP8", "01747"),
        Place("Shaftesbury", "Shaftesbury", "SP7", "01747"),
        Place("Swanage", "Swanage", "BH19", "01929"),
        Place("Wareham", "Wareham", "BH20", "01929"),
        Place("Lyme Regis", "Lyme Regis", "DT7", "01297"),
        Place("Ferndown", "Ferndown", "BH22", "01202"),
        Place("Verwood", "Verwood", "BH31", "01202"),
        Place("Sturminster Newton", "Sturminster Newton", "DT10", "01258"),
        Place("Puddletown", "Dorchester", "DT2", "01305"),
        Place("Portland", "Portland", "DT5", "01305"),
    )),
    DemoLA("839", "Bournemouth, Christchurch and Poole", Nation.ENGLAND, "bcp", (
        *_places("Bournemouth", "BH1/01202", "Boscombe", "Springbourne"),
        *_places("Bournemouth", "BH6/01202", "Southbourne", "Tuckton"),
        *_places("Bournemouth", "BH9/01202", "Winton", "Moordown"),
        *_places("Bournemouth", "BH10/01202", "Kinson", "Bear Cross"),
        *_places("Christchurch", "BH23/01425", "Christchurch", "Highcliffe", "Mudeford"),
        *_places("Poole", "BH14/01202", "Parkstone", "Lilliput"),
        *_places("Poole", "BH15/01202", "Hamworthy", "Oakdale"),
        *_places("Poole", "BH17/01202", "Canford Heath", "Creekmoor"),
        *_places("Broadstone", "BH18/01202", "Broadstone"),
    )),
    DemoLA("680", "Newport", Nation.WALES, "newport", (
        *_places("Newport", "NP20/01633", "Malpas", "Bettws", "Pillgwenlly", "Gaer"),
        *_places("Newport", "NP19/01633", "Maindee", "Lliswerry", "Alway", "St Julians",
                 "Ringland"),
        *_places("Newport", "NP18/01633", "Caerleon", "Langstone"),
        *_places("Newport", "NP10/01633", "Rogerstone", "Bassaleg", "Duffryn"),
        *_places("Cardiff", "CF3/01633", "Marshfield"),
    )),
    DemoLA("681", "Cardiff", Nation.WALES, "cardiff", (
        *_places("Cardiff", "CF5/029", "Llandaff", "Ely", "Fairwater", "Danescourt"),
        *_places("Cardiff", "CF14/029", "Whitchurch", "Llanishen", "Rhiwbina", "Birchgrove"),
        *_places("Cardiff", "CF24/029", "Roath", "Splott", "Adamsdown"),
        *_places("Cardiff", "CF11/029", "Canton", "Grangetown", "Riverside"),
        *_places("Cardiff", "CF23/029", "Pentwyn", "Cyncoed"),
        *_places("Cardiff", "CF3/029", "Rumney"),
        *_places("Cardiff", "CF15/029", "Radyr"),
    )),
]

SAINTS = {
    Nation.ENGLAND: ["Mary", "Andrew", "Michael", "Joseph", "John", "Peter", "Catherine",
                     "George", "Nicholas", "Edward", "Aldhelm", "Osmund", "Thomas", "Anne"],
    Nation.WALES: ["Mary", "David", "Teilo", "Illtyd", "Cadoc", "Woolos", "Joseph", "Patrick",
                   "Julius", "Monica", "Alban", "Gabriel", "Dyfrig", "Peter"],
}
WELSH_NAMES = ["Pen y Bryn", "Bro Teyrnon", "Nant Caerau", "Glan Morfa", "Y Berllan Deg",
               "Coed Glas", "Pencae", "Melin Gruffydd", "Treganna", "Pwll Coch", "Gwaunmiskin",
               "Caer Gwenlli", "Bro Eirwg", "Glan Ceubal", "Mynydd Bychan", "Llwyn yr Eos"]
FIRST_NAMES = ["Sam", "Alex", "Priya", "Gareth", "Rhian", "Joanne", "Tom", "Aisha", "Dewi",
               "Helen", "Mark", "Siân", "Olu", "Claire"]
SURNAMES = ["Taylor", "Jones", "Evans", "Patel", "Williams", "Hughes", "Okafor", "Brown",
            "Davies", "Clarke", "Morgan", "Shah", "Lewis", "Price"]

PRIMARY, SECONDARY, NOT_APPLICABLE = "Primary", "Secondary", "Not applicable"
COMMUNITY, VA, VC = "Community school", "Voluntary aided school", "Voluntary controlled school"
# Name pattern, type, and the range of school numbers it takes (2xxx community primaries,
# 3xxx church primaries, 4xxx-5xxx secondaries, 7xxx special schools, 11xx referral units).
PATTERNS = {
    (Nation.ENGLAND, PRIMARY): [
        ("{place} Primary School", COMMUNITY, (2000, 2999)),
        ("{place} Community Primary School", COMMUNITY, (2000, 2999)),
        ("{place} Church of England Primary School", VC, (3000, 3999)),
        ("St {saint}'s Catholic Primary School", VA, (3000, 3999)),
        ("St {saint}'s CE VA First School", VA, (3000, 3999)),
        ("{place} Primary Academy", "Academy converter", (2000, 2999)),
        ("{place} St {saint}'s Academy", "Academy sponsor led", (2000, 2999)),
    ],
    (Nation.ENGLAND, SECONDARY): [
        ("The {place} School", "Foundation school", (4000, 5999)),
        ("{place} Upper School", COMMUNITY, (4000, 5999)),
        ("{place} Academy", "Academy converter", (4000, 5999)),
        ("St {saint}'s Catholic College", VA, (4000, 5999)),
        ("{place} Studio School", "Free schools", (4000, 5999)),
    ],
    (Nation.WALES, PRIMARY): [
        ("{place} Primary School", COMMUNITY, (2000, 2999)),
        ("Ysgol Gymraeg {welsh}", COMMUNITY, (2000, 2999)),
        ("Ysgol Gynradd {welsh}", COMMUNITY, (2000, 2999)),
        ("St {saint}'s Church in Wales Primary School", VA, (3000, 3999)),
        ("St {saint}'s Roman Catholic Primary School", VA, (3000, 3999)),
    ],
    (Nation.WALES, SECONDARY): [
        ("{place} High School", COMMUNITY, (4000, 5999)),
        ("Ysgol Gyfun Gymraeg {welsh}", COMMUNITY, (4000, 5999)),
        ("St {saint}'s Roman Catholic High School", VA, (4000, 5999)),
    ],
}
SPECIAL = [("{place} Park School", "Community special school", (7000, 7099))]
PRU = [("{place} Learning Centre", "Pupil referral unit", (1100, 1199))]
# How many of each per LA, before the closed schools and their successors.
MIX = [(PRIMARY, 12), (SECONDARY, 4), (NOT_APPLICABLE, 1), ("pru", 1)]


@dataclass
class SchoolPlan:
    number: str
    name: str
    type: str
    phase: str
    place: Place
    urn: str
    phone: str
    postcode: str
    status: str = EstablishmentStatus.OPEN
    closed_on: date | None = None
    successor: str = ""  # the school number of its successor in the same LA


@dataclass
class LAPlan:
    la: DemoLA
    schools: list[SchoolPlan] = field(default_factory=list)


class _Drawer:
    """Draws unique numbers, URNs and names for one LA from its own seeded generator."""

    def __init__(self, la: DemoLA, names: set[str]):
        self.la = la
        self.rng = random.Random(f"{SEED}-{la.number}")
        self.numbers: set[str] = set()
        self.names = names  # shared by every LA, so no two demo schools have the same name
        self.urns: set[int] = set()
        self.plan = LAPlan(la)

    @property
    def welsh(self) -> bool:
        return self.la.nation == Nation.WALES

    def number(self, low: int, high: int) -> str:
        while True:
            number = str(self.rng.randint(low, high))
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def urn(self, academy: bool) -> str:
        low, high = (400000, 402999) if self.welsh else (
            (136000, 151999) if academy else (110000, 126999)
        )
        while True:
            urn = self.rng.randint(low, high)
            if urn not in self.urns:
                self.urns.add(urn)
                return str(urn)

    def postcode(self, place: Place) -> str:
        letters = "ABDEFGHJLNPQRSTUWXY"
        return (f"{place.district} {self.rng.randint(1, 9)}"
                f"{self.rng.choice(letters)}{self.rng.choice(letters)}")

    def phone(self, place: Place) -> str:
        if place.area_code == "029":
            return f"029 20{self.rng.randint(10, 99)} {self.rng.randint(1000, 9999)}"
        return f"{place.area_code} {self.rng.randint(200000, 899999)}"

    def _name(self, pattern: str, place: Place) -> str:
        return pattern.format(
            place=place.name, saint=self.rng.choice(SAINTS[self.la.nation]),
            welsh=self.rng.choice(WELSH_NAMES),
        )

    def add(self, patterns, phase: str, **extra) -> SchoolPlan:
        """Add a school from one of the patterns, with a name no other demo school has."""
        while True:
            pattern, type_, number_range = self.rng.choice(patterns)
            place = self.rng.choice(self.la.places)
            name = self._name(pattern, place)
            if name not in self.names:
                break
        return self.add_named(name, place, type_, phase, number_range, **extra)

    def add_named(self, name, place, type_, phase, number_range, *, number: str = "",
                  **extra) -> SchoolPlan:
        self.names.add(name)
        school = SchoolPlan(
            number=number or self.number(*number_range), name=name, type=type_, phase=phase,
            place=place, urn=self.urn(type_.startswith("Academy")), phone=self.phone(place),
            postcode=self.postcode(place), **extra,
        )
        self.plan.schools.append(school)
        return school

    def free_place(self, *patterns: str) -> Place:
        """Return a place for which none of these names is taken yet."""
        places = [place for place in self.la.places
                  if not any(pattern.format(place=place.name) in self.names
                             for pattern in patterns)]
        return self.rng.choice(places)


def _amalgamation(drawer: _Drawer) -> None:
    """Add an infant and a junior school that closed and became one primary school."""
    patterns = ["{place} Primary School", "{place} Infant School", "{place} Junior School"]
    place = drawer.free_place(*patterns)
    names = [pattern.format(place=place.name) for pattern in patterns]
    merged = drawer.add_named(names[0], place, COMMUNITY, PRIMARY, (2000, 2999))
    for name in names[1:]:
        drawer.add_named(name, place, COMMUNITY, PRIMARY, (2000, 2999),
                         status=EstablishmentStatus.CLOSED, closed_on=date(2022, 8, 31),
                         successor=merged.number)


def _academy_conversion(drawer: _Drawer) -> None:
    """Add a community secondary school that became an academy under a new number."""
    place = drawer.free_place("{place} Academy", "{place} Community School")
    academy = drawer.add_named(f"{place.name} Academy", place, "Academy converter", SECONDARY,
                               (4000, 5999))
    drawer.add_named(f"{place.name} Community School", place, COMMUNITY, SECONDARY, (4000, 5999),
                     status=EstablishmentStatus.CLOSED, closed_on=date(2021, 3, 31),
                     successor=academy.number)


# The schools the documentation's examples name: (LA, number, name, place, type, phase).
# Their numbers and names are kept from the random draw, and they are added last, so the
# other schools are drawn as they were before these were added.
EXAMPLE_SCHOOLS = [
    ("838", "3321", "Puddletown Church of England First School", "Puddletown", VC, PRIMARY),
    ("838", "4512", "Dorchester Upper School", "Dorchester", "Foundation school", SECONDARY),
    ("681", "2345", "Llandaff High School", "Llandaff", COMMUNITY, SECONDARY),
]


def _example_schools(drawer: _Drawer) -> None:
    for la, number, name, place_name, type_, phase in EXAMPLE_SCHOOLS:
        if la == drawer.la.number:
            place = next(p for p in drawer.la.places if p.name == place_name)
            drawer.add_named(name, place, type_, phase, None, number=number)


def build_plan() -> list[LAPlan]:
    """Return the demo LAs and their schools: the same every time."""
    plans, names = [], {example[2] for example in EXAMPLE_SCHOOLS}
    for la in LAS:
        drawer = _Drawer(la, names)
        drawer.numbers.update(ex[1] for ex in EXAMPLE_SCHOOLS if ex[0] == la.number)
        for phase, count in MIX:
            patterns = PATTERNS.get((la.nation, phase)) or (SPECIAL if phase == NOT_APPLICABLE
                                                            else PRU)
            for _ in range(count):
                drawer.add(patterns, phase if phase in (PRIMARY, SECONDARY) else NOT_APPLICABLE)
        _amalgamation(drawer)
        if not drawer.welsh:  # there are no academies in Wales
            _academy_conversion(drawer)
        drawer.plan.schools[3].status = EstablishmentStatus.OPEN_PROPOSED_TO_CLOSE
        _example_schools(drawer)
        plans.append(drawer.plan)
    return plans


def _school_email(la: DemoLA, name: str) -> str:
    return f"office@{slugify(name)[:40].strip('-')}.{la.domain}.example.sch.uk"


def _save_schools(plan: LAPlan, la: LocalAuthority) -> None:
    saved = {}
    for school in plan.schools:
        saved[school.number], _created = Establishment.objects.update_or_create(
            la=la, number=school.number,
            defaults={
                "urn": school.urn, "name": school.name, "type": school.type,
                "phase": school.phase, "town": school.place.town, "postcode": school.postcode,
                "phone": school.phone, "email": _school_email(plan.la, school.name),
                "status": school.status, "closed_on": school.closed_on,
            },
        )
    for school in plan.schools:
        if school.successor:
            establishment = saved[school.number]
            establishment.successor = saved[school.successor]
            establishment.save(update_fields=["successor", "updated_at"])


AGENCIES = [
    ("838", "838HLTH", "Dorset school nursing service", AgencyKind.HEALTH),
    ("838", "838POLC", "Dorset Police safeguarding hub", AgencyKind.POLICE),
    ("681", "681SOCS", "Cardiff children's services", AgencyKind.SOCIAL_SERVICES),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    scope: str  # as `create_user --scope` takes it: national, an LA number, 7 digits, a reference
    email: str
    full_name: str
    listed: bool = True  # printed by `s2s demo`; the other schools' users are not, one by one
    password: str = DEMO_PASSWORD


# Users of every LA role live in one English and one Welsh LA (the ones tests and the README
# use); every other LA gets its own DBA.
FULL_LAS = ("838", "681")
LA_ROLE_USERNAMES = {
    Role.LA_DBA: "dba", Role.LA_DBA_VIEW: "dbaview", Role.LA_USER: "user",
    Role.LA_SCHOOL: "laschool", Role.LA_LOST_PUPIL: "lostpupil",
    Role.LA_LOST_PUPIL_TRANSFER: "lostpupiltransfer", Role.LA_CENSUS: "census",
    Role.LA_ADMISSIONS: "admissions", Role.LA_CME: "cme",
}
# Each full LA's own school (with its MIS connector) and agency, as the examples name them.
HOME_SCHOOLS = {"838": "8383321", "681": "6812345"}
HOME_AGENCIES = {"838": "838HLTH", "681": "681SOCS"}
# The agencies' exchange agreements (issue 16): (reference, direction, with), a year long.
AGREEMENTS = [
    ("838HLTH", "both", ["838LLLL", "8383321", "8384512"], "School nursing and child health"),
    ("838POLC", "out", ["8383321", "8384512"], "Operation Encompass notifications"),
    ("681SOCS", "both", ["681LLLL", "6812345"], "Children's services casework"),
]


def _full_name(index: int) -> str:
    return f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {SURNAMES[(index * 5) % len(SURNAMES)]}"


def _la_rows(la: DemoLA) -> list[tuple]:
    """Return the listed accounts of one LA: every role, or only a DBA."""
    roles = LA_ROLE_USERNAMES if la.number in FULL_LAS else {Role.LA_DBA: "dba"}
    rows = [(f"{la.number}{suffix}", role, la.number,
             f"s2s.{suffix}@{la.domain}.example.gov.uk") for role, suffix in roles.items()]
    if la.number in FULL_LAS:
        school, agency = HOME_SCHOOLS[la.number], HOME_AGENCIES[la.number]
        rows += [
            (school, Role.SCHOOL, school, f"s2s.{school}@{la.domain}.example.sch.uk"),
            (f"{school}-mis", Role.CONNECTOR, school, f"mis.{school}@{la.domain}.example.sch.uk"),
            (agency.lower(), Role.AGENCY, agency, f"{agency.lower()}@agencies.example.gov.uk"),
        ]
    if la.number == "838":
        rows.append(("838polc", Role.AGENCY, "838POLC", "838polc@agencies.example.gov.uk"))
    return rows


def planned_accounts(plans: list[LAPlan] | None = None) -> list[DemoAccount]:
    """Return the demo accounts: the administrator, the LAs' people, then a user per school.

    Every open school has a school user named by its establishment number, so files and
    messages always reach someone; only the home schools' are listed one by one.
    """
    plans = plans or build_plan()
    rows = [("admin", Role.ADMIN, "national", "s2s.admin@s2s.example.gov.uk")]
    for plan in sorted(plans, key=lambda plan: plan.la.number not in FULL_LAS):
        rows += _la_rows(plan.la)
    listed = len(rows)
    for plan in plans:
        for school in plan.schools:
            code = f"{plan.la.number}{school.number}"
            if school.status != EstablishmentStatus.CLOSED and code not in HOME_SCHOOLS.values():
                rows.append((code, Role.SCHOOL, code,
                             f"s2s.{code}@{plan.la.domain}.example.sch.uk"))
    return [DemoAccount(*row, full_name=_full_name(index), listed=index < listed)
            for index, row in enumerate(rows)]


def _scope_fields(account: DemoAccount) -> dict:
    kind = SCOPE_OF_ROLE[account.role]
    if kind == ScopeKind.LA:
        return {"la": LocalAuthority.objects.get(number=account.scope)}
    if kind == ScopeKind.ESTABLISHMENT:
        return {"establishment": Establishment.objects.get(code=account.scope)}
    if kind == ScopeKind.AGENCY:
        return {"agency": Agency.objects.get(reference=account.scope)}
    return {}


def _load_user(account: DemoAccount, hashed_password: str) -> User:
    user = User.objects.filter(username=account.username).first()
    if user is None:
        user = User.objects.create_user(
            username=account.username, role=account.role, email=account.email,
            full_name=account.full_name, must_change_password=False, **_scope_fields(account),
        )
    # Set (or bring back) the known password. Hashing is slow on purpose, so the accounts
    # share one hash of the shared demo password: they are demo accounts, not people's.
    user.password = hashed_password
    user.must_change_password = False
    user.is_active = True
    user.save(update_fields=["password", "must_change_password", "is_active"])
    return user


@transaction.atomic
def load_demo() -> None:
    """Create (or bring back) the demo LAs, schools, agencies and accounts."""
    plans = build_plan()
    las = {}
    for plan in plans:
        la, _created = LocalAuthority.objects.update_or_create(
            number=plan.la.number,
            defaults={"name": plan.la.name, "nation": plan.la.nation,
                      "email": f"s2s@{plan.la.domain}.example.gov.uk"},
        )
        las[la.number] = la
        _save_schools(plan, la)
    for la_number, reference, name, kind in AGENCIES:
        Agency.objects.update_or_create(
            reference=reference,
            defaults={"la": las[la_number], "name": name, "kind": kind,
                      "email": f"{reference.lower()}@agencies.example.gov.uk"},
        )
    _load_agreements()
    hashed = make_password(DEMO_PASSWORD)
    for account in planned_accounts(plans):
        _load_user(account, hashed)


def _load_agreements() -> None:
    """Give each demo agency its agreement, unless it has one in force already."""
    # Imported here: the agencies app builds on the directory, not the other way round.
    from s2s.agencies.models import ExchangeAgreement

    until = timezone.localdate() + timedelta(days=365)
    for reference, direction, ends, purpose in AGREEMENTS:
        agency = Agency.objects.get(reference=reference)
        if not agency.agreements.filter(ended_at__isnull=True,
                                        until__gte=timezone.localdate()).exists():
            ExchangeAgreement.objects.create(agency=agency, direction=direction, ends=ends,
                                             purpose=purpose, until=until)


def demo_accounts() -> list[DemoAccount]:
    """Return the listed demo accounts that exist and are active.

    Their passwords are not checked (hashing each would take seconds): one changed since the
    demo was loaded is printed all the same, and `s2s demo` sets it back.
    """
    planned = [account for account in planned_accounts() if account.listed]
    active = set(User.objects.filter(
        username__in=[account.username for account in planned], is_active=True,
    ).values_list("username", flat=True))
    return [account for account in planned if account.username in active]


def two_factor_code(username: str) -> str | None:
    """Return the current code of a demo account's authenticator, for trying it without a phone.

    The account's confirmed device, else the one its set-up page has made; None if it has
    neither, or the username is not a demo account's. The demo never loads in production.
    """
    if username not in {account.username for account in planned_accounts()}:
        return None
    device = (TOTPDevice.objects.filter(user__username=username)
              .order_by("-confirmed", "pk").first())
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
