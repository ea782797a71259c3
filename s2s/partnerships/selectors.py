"""Reads of partnerships, already narrowed to what the user's institution needs to know.

Every read of pupil records goes through `records_visible` (a list, the changes feed) or
`pupil_view` (one pupil): the policy's scope (partnership active, pupil linked to the reader,
agreed kinds, no objection) and then the reader's own link dates, so a partner never sees what
was recorded before or after it taught the pupil.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from s2s.accounts.policy import Action, get_for, scope
from s2s.feeds.codes import Meaning, meaning_of
from s2s.partnerships.models import (
    Kind,
    Membership,
    Partnership,
    PlaceRole,
    PupilPlace,
    SharedRecord,
    Status,
)
from s2s.partnerships.sealing import unseal


def member_of(*, establishment_id: int) -> list[int]:
    """Return the ids of the partnerships this institution is a member of."""
    return list(Membership.objects.filter(establishment_id=establishment_id)
                .values_list("partnership_id", flat=True))


def sharing_open(partnership: Partnership, today: date | None = None) -> bool:
    """Return whether sharing runs: every member signed, review date not passed, not ended."""
    today = today or timezone.localdate()
    return (partnership.status == Status.ACTIVE
            and partnership.agreement.review_date >= today)


def active_agreements(*, establishment_id: int) -> dict[int, list[str]]:
    """Return {partnership id: agreed kinds} of this member's partnerships sharing today."""
    rows = (Partnership.objects.filter(
        memberships__establishment_id=establishment_id, status=Status.ACTIVE,
        agreement__review_date__gte=timezone.localdate())
        .values_list("pk", "agreement__kinds"))
    return dict(rows)


def partner_links(*, establishment_id: int, partnership_id: int) -> list[int]:
    """Return the pupil links where this institution is a partner (not the main)."""
    return list(PupilPlace.objects.filter(
        establishment_id=establishment_id, partnership_id=partnership_id)
        .exclude(role=PlaceRole.MAIN).values_list("link_id", flat=True))


def partnership_list(*, user) -> QuerySet:
    """Return the user's institution's partnerships, newest first."""
    return (scope(user, Partnership.objects.select_related("agreement"), Action.PARTNERSHIPS)
            .order_by("-created_at", "-pk"))


def partnership_get(*, user, partnership_id: int) -> Partnership:
    """Return one of the user's partnerships, or 404."""
    return get_for(user, Partnership.objects.select_related("agreement"), Action.PARTNERSHIPS,
                   pk=partnership_id)


def pupil_places(*, user, partnership: Partnership) -> QuerySet:
    """Return the user's institution's places of pupils it may see in this partnership."""
    return (scope(user, PupilPlace.objects.select_related("link"), Action.PARTNERSHIP_RECORDS)
            .filter(partnership=partnership).order_by("link__upn"))


def pupil_place_get(*, user, partnership: Partnership, upn: str,
                    action: str = Action.PARTNERSHIP_RECORDS) -> PupilPlace:
    """Return the user's institution's place of this pupil, or 404."""
    return get_for(user, PupilPlace.objects.select_related("link"), action,
                   partnership=partnership, link__upn=upn)


def records_visible(*, user, partnership_id: int | None = None) -> QuerySet:
    """Return the shared records the user may read: the policy's scope, then the date window.

    The main institution reads all of its pupils' records; a partner only those dated while
    the pupil was linked to it.
    """
    records = scope(user, SharedRecord.objects.all(), Action.PARTNERSHIP_RECORDS)
    if partnership_id is not None:
        records = records.filter(partnership_id=partnership_id)
    windows = PupilPlace.objects.filter(establishment_id=user.establishment_id).exclude(
        role=PlaceRole.MAIN)
    if partnership_id is not None:
        windows = windows.filter(partnership_id=partnership_id)
    outside = Q(pk__in=[])
    for link_id, start, end in windows.values_list("link_id", "linked_from", "linked_to"):
        out = Q(date__lt=start) | Q(date__gt=end) if end else Q(date__lt=start)
        outside |= Q(link_id=link_id) & out
    return records.exclude(outside)


# The columns a record is given out from: read as values, not model objects (a pupil's term
# is a few hundred records, and building models of them cost more than reading them).
RECORD_FIELDS = ("id", "kind", "date", "session", "lesson", "code", "minutes_late", "sealed",
                 "source_id", "upn")


def record_rows(records: QuerySet) -> QuerySet:
    """Return the records as dicts of `RECORD_FIELDS` (the pupil's UPN as `upn`)."""
    return records.annotate(upn=F("link__upn")).values(*RECORD_FIELDS)


def record_out(row: dict, codes: dict) -> dict:
    """Return one record as the API and the CSV give it (`codes`: establishment id -> code)."""
    out = {"id": row["id"], "upn": row["upn"], "kind": row["kind"], "date": row["date"],
           "school": codes[row["source_id"]]}
    if row["kind"] in (Kind.ATTENDANCE, Kind.PUNCTUALITY):
        out.update(session=["AM", "PM"][row["session"]] if row["session"] is not None else None,
                   lesson=row["lesson"] or None)
    if row["kind"] == Kind.ATTENDANCE:
        out["code"] = row["code"]
    elif row["kind"] == Kind.PUNCTUALITY:
        out["minutes_late"] = row["minutes_late"]
    else:
        out.update(unseal(row["sealed"]))
    return out


# A dual-registered pupil's session marked at two settings counts once, as its best mark:
# present anywhere is present (the other school's D, "attending elsewhere", is not possible).
_RANK = [Meaning.PRESENT, Meaning.EDUCATIONAL_ACTIVITY, Meaning.AUTHORISED,
         Meaning.UNAUTHORISED, Meaning.NOT_POSSIBLE, Meaning.NO_MARK]


@dataclass
class AttendanceSummary:
    """Sessions by meaning: one row per setting, and the pupil's combined row."""

    by_setting: dict = field(default_factory=dict)  # school code -> Counter of meanings
    combined: Counter = field(default_factory=Counter)
    lessons: dict = field(default_factory=dict)  # school code -> Counter of meanings

    @staticmethod
    def row(counts: Counter) -> dict:
        possible = sum(n for m, n in counts.items()
                       if m not in (Meaning.NOT_POSSIBLE, Meaning.NO_MARK))
        attended = counts[Meaning.PRESENT] + counts[Meaning.EDUCATIONAL_ACTIVITY]
        return {"possible": possible, "attended": attended,
                "authorised": counts[Meaning.AUTHORISED],
                "unauthorised": counts[Meaning.UNAUTHORISED],
                "percent": round(100 * attended / possible, 1) if possible else None}


def attendance_summary(records: list[dict], nations: dict) -> AttendanceSummary:
    """Count sessions by setting and combined (each date and session once); lessons apart.

    `records` are `record_out` rows of kind attendance; `nations` maps a school code to its
    nation, for the meaning of its codes.
    """
    summary = AttendanceSummary()
    best: dict = {}
    for r in records:
        meaning = meaning_of(nation=nations[r["school"]], day=r["date"], code=r["code"])
        meaning = meaning or Meaning.NO_MARK
        if r["session"] is None:
            summary.lessons.setdefault(r["school"], Counter())[meaning] += 1
            continue
        summary.by_setting.setdefault(r["school"], Counter())[meaning] += 1
        key = (r["date"], r["session"])
        if key not in best or _RANK.index(meaning) < _RANK.index(best[key]):
            best[key] = meaning
    summary.combined = Counter(best.values())
    return summary


def pupil_view(*, user, place: PupilPlace, kinds: list[str] | None = None) -> dict:
    """Return a pupil's records the user may read, by kind, with the attendance summary.

    `kinds`: the agreement's kinds, when the caller holds the partnership already. `place`
    came through the policy (`pupil_place_get`: the reader's place of a pupil without
    objection, in a partnership sharing today), so the scope of its records is the
    record rule narrowed to this one link: its partnership and link, the agreed kinds. Said
    so directly, it saves the rule's queries (the member's agreements and partner links)
    on the hottest read, the combined view.
    """
    if kinds is None:
        records = scope(user, SharedRecord.objects.all(), Action.PARTNERSHIP_RECORDS)
    else:
        records = SharedRecord.objects.filter(partnership_id=place.partnership_id,
                                              kind__in=kinds)
    records = records.filter(link=place.link).order_by("date", "session", "lesson", "id")
    if place.role != PlaceRole.MAIN:  # the reader's own window: records made while linked
        records = records.filter(date__gte=place.linked_from)
        if place.linked_to:
            records = records.filter(date__lte=place.linked_to)
    members = Membership.objects.filter(partnership_id=place.partnership_id).values_list(
        "establishment_id", "establishment__code", "establishment__la__nation")
    schools = {pk: code for pk, code, _nation in members}
    nations = {code: nation for _pk, code, nation in members}
    view = defaultdict(list)
    for row in record_rows(records):
        view[row["kind"]].append(record_out(row, schools))
    summary = attendance_summary(view[Kind.ATTENDANCE], nations)
    return {"upn": place.link.upn, **{kind: view[kind] for kind in Kind.values},
            "summary": summary}


def partnership_out(partnership: Partnership) -> dict:
    """Return a partnership as the API gives it: members, signatures and agreement."""
    agreement = partnership.agreement
    members = (Membership.objects.filter(partnership=partnership)
               .select_related("establishment").order_by("establishment__code"))
    return {
        "id": partnership.pk, "name": partnership.name, "status": partnership.status,
        "sharing": sharing_open(partnership),
        "members": [{"school": m.establishment.code, "name": m.establishment.name,
                     "signed_by": m.signed_by_username or None, "signed_at": m.signed_at}
                    for m in members],
        "agreement": {"purpose": agreement.purpose, "kinds": agreement.kinds,
                      "lawful_basis": agreement.lawful_basis,
                      "retention_days": agreement.retention_days,
                      "review_date": agreement.review_date},
    }


def pupil_link_out(link) -> dict:
    """Return a linked pupil as the API gives it: its main institution and its settings."""
    places = link.places.select_related("establishment").order_by("establishment__code")
    return {"upn": link.upn, "main": link.main.code, "objected_at": link.objected_at,
            "links": [{"school": p.establishment.code, "role": p.role, "courses": p.courses,
                       "linked_from": p.linked_from, "linked_to": p.linked_to}
                      for p in places if p.role != PlaceRole.MAIN]}
