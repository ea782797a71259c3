"""Pushing shared records: a member's records about its linked pupils, checked and written.

A push (one record or a list) is taken whole or refused whole, naming the first record at
fault. Each record must be of a kind the agreement lists, about a pupil linked to the sender,
dated while it was linked there and not in the future. Attendance codes are the feeds app's
dictionary, read for the sender's nation on the record's day.
"""

from datetime import date
from functools import lru_cache, partial

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.words import Text
from s2s.feeds.codes import Meaning, look_up
from s2s.partnerships import emails
from s2s.partnerships.models import Kind, PlaceRole, PupilPlace, SharedRecord
from s2s.partnerships.sealing import seal
from s2s.partnerships.services import partnership_open

MAX_RECORDS = 5000
SESSIONS = {"AM": 0, "PM": 1}
BEHAVIOUR_TYPES = ("incident", "achievement")


@lru_cache(maxsize=4096)
def _look_up(nation: str, day: date, code: str):
    """Return `codes.look_up` (pure), remembered: a push repeats a few codes over a term."""
    return look_up(nation=nation, day=day, code=code)


def _refuse(n: int, message: str, field: str, code: str = "invalid") -> ServiceError:
    return ServiceError(_("Record %(n)d: %(problem)s") % {"n": n + 1, "problem": message},
                        code=code, field=f"{n}.{field}")


def _text(item: dict, name: str, n: int, limit: int = 200) -> str:
    value = str(item.get(name) or "").strip()
    if not value:
        raise _refuse(n, _("give its %(name)s.") % {"name": name}, name)
    return value[:limit]


def _slot(item: dict, n: int) -> tuple[int | None, str]:
    session, lesson = item.get("session"), str(item.get("lesson") or "").strip()[:40]
    if session is None and not lesson:
        raise _refuse(n, _("give its session (AM or PM) or its lesson."), "session")
    if session is not None and session not in SESSIONS:
        raise _refuse(n, _("the session is AM or PM."), "session")
    return (SESSIONS[session] if session is not None else None), lesson


def _attendance(record: dict, item: dict, n: int, nation: str) -> Meaning:
    record["session"], record["lesson"] = _slot(item, n)
    code = str(item.get("code") or "")
    found = _look_up(nation, record["date"], code)
    if found.meaning is None:
        raise _refuse(n, _("%(code)s is not an attendance code on %(day)s.")
                      % {"code": code or "-", "day": record["date"].isoformat()}, "code")
    record["code"] = code
    return found.meaning


def _punctuality(record: dict, item: dict, n: int) -> None:
    record["session"], record["lesson"] = _slot(item, n)
    minutes = item.get("minutes_late")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 < minutes < 600:
        raise _refuse(n, _("give the minutes late, a whole number from 1 to 599."),
                      "minutes_late")
    record["minutes_late"] = minutes


def _assessment(record: dict, item: dict, n: int) -> None:
    record["sealed"] = seal({"subject": _text(item, "subject", n),
                          "aspect": _text(item, "aspect", n),
                          "result": _text(item, "result", n, 60)})


def _behaviour(record: dict, item: dict, n: int) -> None:
    kind = item.get("type")
    if kind not in BEHAVIOUR_TYPES:
        raise _refuse(n, _("the type is incident or achievement."), "type")
    points = item.get("points", 0)
    if not isinstance(points, int) or isinstance(points, bool) or abs(points) > 1000:
        raise _refuse(n, _("points are a whole number from -1000 to 1000."), "points")
    record["sealed"] = seal({"type": kind, "points": points,
                          "description": str(item.get("description") or "").strip()[:2000]})


def _record(item: dict, n: int, *, partnership, kinds, places, school, nation, today):
    """Return the checked record, its attendance meaning and the sender's place of the pupil.

    The record is a dict of its columns (no model object: a push is up to 5,000 of them);
    the meaning is None for kinds other than attendance.
    """
    kind, upn, day = item.get("kind"), item.get("upn"), item.get("date")
    if kind not in Kind.values:
        raise _refuse(n, _("the kind is attendance, punctuality, assessment or behaviour."),
                      "kind")
    if kind not in kinds:
        raise _refuse(n, _("this partnership's agreement does not share %(kind)s.")
                      % {"kind": kind}, "kind", code="kind_not_agreed")
    place = places.get(upn)
    if place is None:
        raise _refuse(n, _("pupil %(upn)s is not linked to your institution in this "
                           "partnership.") % {"upn": upn}, "upn", code="not_linked")
    if not isinstance(day, date) or day > today:
        raise _refuse(n, _("give the date it happened, not in the future."), "date")
    outside = day < place.linked_from or (place.linked_to and day > place.linked_to)
    if outside and place.role != PlaceRole.MAIN:  # the main institution's pupil throughout
        raise _refuse(n, _("the pupil was not linked to your institution on %(day)s.")
                      % {"day": day.isoformat()}, "date", code="not_linked")
    record = {"partnership_id": partnership.pk, "link_id": place.link_id,
              "source_id": school.pk, "kind": kind, "date": day, "session": None,
              "lesson": "", "code": "", "minutes_late": None, "sealed": None}
    meaning = None
    if kind == Kind.ATTENDANCE:
        meaning = _attendance(record, item, n, nation)
    elif kind == Kind.PUNCTUALITY:
        _punctuality(record, item, n)
    elif kind == Kind.ASSESSMENT:
        _assessment(record, item, n)
    else:
        _behaviour(record, item, n)
    return record, meaning, place


_COLUMNS = ("partnership_id", "link_id", "source_id", "kind", "date", "session", "lesson",
            "code", "minutes_late", "sealed", "recorded_at")


def _insert(records: list[dict]) -> None:
    """Write the records: COPY on PostgreSQL (as `feeds/markstore.py` writes marks).

    Elsewhere in batches. Building an INSERT of 5,000 rows costs more than the database takes
    to store them.
    """
    if connection.vendor != "postgresql":
        SharedRecord.objects.bulk_create((SharedRecord(**r) for r in records),
                                         batch_size=2000)
        return
    now = timezone.now()
    table = connection.ops.quote_name(SharedRecord._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for r in records:
            copy.write_row((r["partnership_id"], r["link_id"], r["source_id"], r["kind"],
                            r["date"], r["session"], r["lesson"], r["code"],
                            r["minutes_late"], r["sealed"], now))


@transaction.atomic
def records_push(*, user, partnership_id: int, items: list[dict], request=None) -> int:
    """Take a member's records about its linked pupils, whole or not at all; return the count.

    When a partner (not the main institution) marks a pupil absent without authorisation
    today, the main institution's users are emailed at once (counts only, no pupil data).
    """
    partnership = partnership_open(user, partnership_id)
    if not items or len(items) > MAX_RECORDS:
        raise ServiceError(_("Send from 1 to %(max)d records at a time.") % {"max": MAX_RECORDS},
                           field="records")
    school = user.establishment
    places = {p.link.upn: p for p in PupilPlace.objects.filter(
        partnership=partnership, establishment=school, link__objected_at__isnull=True)
        .select_related("link")}
    context = {"partnership": partnership, "kinds": partnership.agreement.kinds,
               "places": places, "school": school, "nation": school.la.nation,
               "today": timezone.localdate()}
    records, absent = [], {}
    for n, item in enumerate(items):
        record, meaning, place = _record(item, n, **context)
        records.append(record)
        if (meaning == Meaning.UNAUTHORISED and place.role != PlaceRole.MAIN
                and record["date"] == context["today"]):
            absent.setdefault(place.link.main_id, set()).add(place.link_id)
    _insert(records)
    audit_record(action="partnership.records_sent", actor=user, obj=partnership,
                 request=request,
                 summary=Text(gettext_noop("%(name)s: %(count)s records"), name=partnership.name,
                              count=len(records)),
                 detail={"kinds": sorted({r["kind"] for r in records})})
    for main_id, pupils in absent.items():
        transaction.on_commit(partial(emails.send_absence_alert, partnership_id=partnership.pk,
                                      main_id=main_id, partner=school.code,
                                      pupils=len(pupils)))
    return len(records)
