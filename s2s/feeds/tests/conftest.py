"""Feeds fixtures: the senders of the shared fixtures' schools, and pupils to send."""

import json

import pytest

from s2s.accounts.roles import Role
from s2s.ctf.identifiers import make_upn
from s2s.feeds.services import feed_receive
from s2s.transfers.tests.conftest import file_store, master_key  # noqa: F401 (autouse)

# Valid UPNs allocated by LA 838 at school 3321, written down.
UPN_1 = make_upn(la="838", establishment="3321", year=20, serial=1)
UPN_2 = make_upn(la="838", establishment="3321", year=20, serial=2)
UPN_3 = make_upn(la="838", establishment="3321", year=20, serial=3)


@pytest.fixture
def connector(make_user, sending_school):
    """School 8383321's MIS connector (LA 838, England)."""
    return make_user(Role.CONNECTOR, sending_school, username="8383321-mis")


@pytest.fixture
def census_officer(make_user, home_la):
    return make_user(Role.LA_CENSUS, home_la, username="838-census")


@pytest.fixture
def welsh_connector(make_user, outsider_school):
    """School 6812345's MIS connector (LA 681, Wales)."""
    return make_user(Role.CONNECTOR, outsider_school, username="6812345-mis")


def pupil(upn: str = UPN_1, **fields) -> dict:
    """Return a roll record with nothing to warn about; fields override it."""
    return {
        "upn": upn, "former_upn": "", "surname": "Smith", "forename": "Amy",
        "middle_names": "", "preferred_surname": "", "former_surname": "",
        "dob": "2016-10-15", "sex": "F", "postcode": "DT2 0NS", "town": "Dorchester",
        "nc_year": "5", "entry_date": "2021-09-02", "leaving_date": "", "leaving_reason": "",
        "destination": "", "registration": "single", "home_la": "", **fields,
    }


def send(user, kind: str, body: dict, **kwargs):
    """Send a JSON feed through the service; return the feed."""
    return feed_receive(user=user, kind=kind, content=json.dumps(body).encode(), **kwargs)


def send_roll(user, pupils: list[dict], school: str = "8383321", full: bool = False):
    return send(user, "roll", {"school": school, "full": full, "pupils": pupils})


def send_marks(user, marks: list[tuple], school: str = "8383321"):
    """Send marks given as (upn, date, session, code)."""
    return send(user, "attendance", {"school": school, "marks": [
        {"upn": u, "date": d, "session": s, "code": c} for u, d, s, c in marks]})


def codes(finding_list: list[dict]) -> list[str]:
    return [f["code"] for f in finding_list]
