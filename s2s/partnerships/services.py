"""Partnership services: create, sign, link pupils, object, push records, read and export.

Each asks the policy, validates, writes, audits and queues its notices in one transaction.
Refusals are `ServiceError`s with a message a data manager can act on; anything the caller
may not see is 404 (`Http404`), never a hint that it exists.
"""

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can, has_capability
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.identifiers import upn_check
from s2s.ctf.words import Text
from s2s.directory.models import Establishment
from s2s.partnerships import selectors
from s2s.partnerships.models import (
    Agreement,
    DeleteReason,
    Kind,
    Membership,
    Objection,
    Partnership,
    PlaceRole,
    PupilLink,
    PupilPlace,
    SharedRecord,
    Status,
    Tombstone,
)

CHANGES_PAGE = 1000
TOMBSTONE_BATCH = 2000


def records_delete(records, *, reason: str) -> int:
    """Delete these shared records, leaving a tombstone of each for the changes feed.

    Return how many were deleted. In batches, so ending a large partnership stays bounded.
    """
    deleted = 0
    now = timezone.now()
    while True:
        rows = list(records.order_by("pk").values_list("pk", "partnership_id", "kind")
                    [:TOMBSTONE_BATCH])
        if not rows:
            return deleted
        Tombstone.objects.bulk_create(
            Tombstone(record_id=pk, partnership_id=partnership_id, kind=kind, reason=reason,
                      deleted_at=now) for pk, partnership_id, kind in rows)
        SharedRecord.objects.filter(pk__in=[row[0] for row in rows]).delete()
        deleted += len(rows)


def _school_of(user) -> Establishment:
    if not user.establishment_id:
        raise Http404
    return user.establishment


def _establishments(codes: list[str], field: str) -> dict[str, Establishment]:
    found = {e.code: e for e in Establishment.objects.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ServiceError(
            _("No establishment has the number %(code)s.") % {"code": missing[0]},
            code="unknown_establishment", field=field)
    return found


def _check_agreement(*, purpose: str, kinds: list[str], lawful_basis: str,
                     retention_days: int, review_date: date) -> None:
    if not purpose.strip():
        raise ServiceError(_("Say what the data is shared for."), field="purpose")
    if not kinds or any(kind not in Kind.values for kind in kinds):
        raise ServiceError(
            _("List the kinds of data shared: attendance, punctuality, assessment, behaviour."),
            field="kinds")
    if not lawful_basis.strip():
        raise ServiceError(_("Give the lawful basis for sharing."), field="lawful_basis")
    if retention_days < 1:
        raise ServiceError(_("Keep shared records for at least one day."),
                           field="retention_days")
    if review_date <= timezone.localdate():
        raise ServiceError(_("The review date must be in the future."), field="review_date")


@transaction.atomic
def partnership_create(*, user, name: str, members: list[str], purpose: str, kinds: list[str],
                       lawful_basis: str, retention_days: int, review_date: date,
                       request=None) -> Partnership:
    """Create a partnership of these members with its agreement, awaiting their signatures.

    The creator's institution is a member, named or not.
    """
    if not has_capability(user, Action.PARTNERSHIPS):
        raise Http404
    school = _school_of(user)
    if not name.strip():
        raise ServiceError(_("Enter the partnership's name."), field="name")
    codes = list(dict.fromkeys([school.code, *members]))
    if len(codes) < 2:
        raise ServiceError(_("A partnership needs at least one other member."), field="members")
    found = _establishments(codes, "members")
    _check_agreement(purpose=purpose, kinds=kinds, lawful_basis=lawful_basis,
                     retention_days=retention_days, review_date=review_date)
    partnership = Partnership.objects.create(name=name.strip()[:200],
                                             created_by_username=user.username)
    Agreement.objects.create(partnership=partnership, purpose=purpose.strip(),
                             kinds=[k for k in Kind.values if k in kinds],
                             lawful_basis=lawful_basis.strip(), retention_days=retention_days,
                             review_date=review_date)
    Membership.objects.bulk_create(
        Membership(partnership=partnership, establishment=found[code]) for code in codes)
    audit_record(action="partnership.created", actor=user, obj=partnership, request=request,
                 summary=Text(gettext_noop("%(name)s: %(count)s members"), name=partnership.name,
                              count=len(codes)),
                 detail={"members": codes, "kinds": kinds})
    return partnership


@transaction.atomic
def partnership_sign(*, user, partnership_id: int, request=None) -> Partnership:
    """Sign the agreement for the user's institution; sharing starts when all have signed."""
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if partnership.status in (Status.ENDED, Status.LAPSED):
        raise ServiceError(_("This partnership has %(status)s; it cannot be signed.")
                           % {"status": partnership.get_status_display().lower()},
                           code="not_open")
    signed = Membership.objects.filter(
        partnership=partnership, establishment_id=user.establishment_id,
        signed_at__isnull=True).update(signed_by=user, signed_by_username=user.username,
                                       signed_at=timezone.now())
    if signed:
        audit_record(action="partnership.signed", actor=user, obj=partnership, request=request,
                     summary=Text(gettext_noop("%(name)s: signed for %(code)s"),
                                  name=partnership.name, code=user.establishment.code))
    all_signed = not Membership.objects.filter(partnership=partnership,
                                               signed_at__isnull=True).exists()
    if all_signed and partnership.status == Status.AWAITING:
        Partnership.objects.filter(pk=partnership.pk).update(status=Status.ACTIVE)
        partnership.status = Status.ACTIVE
    return partnership


def partnership_open(user, partnership_id: int) -> Partnership:
    """Return the user's partnership if sharing runs, else refuse (404 for a non-member)."""
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if not selectors.sharing_open(partnership):
        raise ServiceError(
            _("Sharing has not started or has stopped in this partnership: every member must "
              "sign the agreement, and its review date must not have passed."),
            code="not_sharing")
    return partnership


def _check_upn(upn: str, field: str = "upn") -> None:
    if not upn_check(upn=upn).ok:
        raise ServiceError(_("%(upn)s is not a valid UPN.") % {"upn": upn}, field=field)


def _place_rows(partnership, link, main, links, members) -> list[PupilPlace]:
    today = timezone.localdate()
    rows = [PupilPlace(link=link, partnership=partnership, establishment=main,
                       role=PlaceRole.MAIN, linked_from=today)]
    for n, entry in enumerate(links):
        school = members.get(entry["school"])
        if school is None or school == main:
            raise ServiceError(_("%(code)s is not another member of this partnership.")
                               % {"code": entry["school"]}, field=f"links.{n}.school")
        if entry["role"] not in (PlaceRole.SUBSIDIARY, PlaceRole.GUEST):
            raise ServiceError(_("A partner's role is subsidiary or guest."),
                               field=f"links.{n}.role")
        rows.append(PupilPlace(link=link, partnership=partnership, establishment=school,
                               role=entry["role"], courses=list(entry.get("courses") or []),
                               linked_from=entry.get("linked_from") or today))
    return rows


@transaction.atomic
def pupil_link(*, user, partnership_id: int, upn: str, main: str, links: list[dict],
               request=None) -> PupilLink:
    """Link a pupil to its main institution (the caller's) and its partner settings.

    `links`: [{"school", "role", "courses", "linked_from"}]. Linking again adds new settings,
    updates the courses of known ones and ends (linked_to today) the ones no longer listed.
    """
    partnership = partnership_open(user, partnership_id)
    _check_upn(upn)
    if main != user.establishment.code:
        raise ServiceError(_("Only the pupil's main institution links the pupil: %(code)s.")
                           % {"code": user.establishment.code}, field="main")
    members = {m.establishment.code: m.establishment for m in
               Membership.objects.filter(partnership=partnership).select_related(
                   "establishment")}
    link, _created = PupilLink.objects.get_or_create(
        partnership=partnership, upn=upn, defaults={"main": user.establishment})
    if link.main_id != user.establishment_id or link.objected_at:
        raise Http404
    today = timezone.localdate()
    held = {p.establishment_id: p for p in link.places.all()}
    for row in _place_rows(partnership, link, user.establishment, links, members):
        place = held.pop(row.establishment_id, None)
        if place is None:
            row.save()
        elif row.role != PlaceRole.MAIN:
            place.role, place.courses, place.linked_to = row.role, row.courses, None
            place.save(update_fields=["role", "courses", "linked_to"])
    for place in held.values():
        if place.role != PlaceRole.MAIN and place.linked_to is None:
            place.linked_to = today
            place.save(update_fields=["linked_to"])
    audit_record(action="partnership.pupil_linked", actor=user, obj=link, request=request,
                 summary=Text(gettext_noop("%(name)s: pupil linked to %(count)s partners"),
                              name=partnership.name, count=len(links)))
    return link


@transaction.atomic
def pupil_object(*, user, partnership_id: int, upn: str, request=None) -> PupilLink:
    """Record a pupil's or parent's objection: sharing stops now and shared records go.

    The main institution records it; the pupil's records are deleted from the hub and its
    partner settings unlinked, so no member sees anything of the pupil from this moment.
    """
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    place = selectors.pupil_place_get(user=user, partnership=partnership, upn=upn,
                                      action=Action.PARTNERSHIP_OBJECTION)
    link = place.link
    now = timezone.now()
    PupilLink.objects.filter(pk=link.pk).update(objected_at=now)
    Objection.objects.create(link=link, recorded_by_username=user.username, recorded_at=now)
    deleted = records_delete(SharedRecord.objects.filter(link=link),
                             reason=DeleteReason.OBJECTION)
    PupilPlace.objects.filter(link=link).exclude(role=PlaceRole.MAIN).delete()
    audit_record(action="partnership.objection", actor=user, obj=link, request=request,
                 summary=Text(gettext_noop("%(name)s: objection recorded, %(count)s records "
                                           "deleted"),
                              name=partnership.name, count=deleted))
    link.objected_at = now
    return link


def pupil_view_read(*, user, partnership_id: int, upn: str, request=None,
                    export: bool = False) -> dict:
    """Return a pupil's records the user may read (`selectors.pupil_view`), audited.

    Outside need to know (not a member, sharing stopped, pupil not linked to the user's
    institution, objection recorded) it is 404.
    """
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if not selectors.sharing_open(partnership):
        raise Http404
    place = selectors.pupil_place_get(user=user, partnership=partnership, upn=upn)
    view = selectors.pupil_view(user=user, place=place, kinds=partnership.agreement.kinds)
    shown = sum(len(view[kind]) for kind in Kind.values)
    audit_record(action="partnership.pupil_exported" if export else "partnership.pupil_viewed",
                 actor=user, obj=place.link, request=request,
                 summary=Text(gettext_noop("%(name)s: %(count)s records"), name=partnership.name,
                              count=shown))
    view["partnership"], view["place"] = partnership, place
    return view


def _cursor(since: str) -> tuple[int, int]:
    """Return (last record id, last tombstone id) of a cursor "R.T" (or the older "R")."""
    parts = since.split(".") if since else ["0", "0"]
    if len(parts) == 1:
        parts.append("0")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        raise ServiceError(_("The cursor is not one this service gave."), field="since")
    return int(parts[0]), int(parts[1])


def changes_read(*, user, partnership_id: int, since: str, request=None) -> dict:
    """Return the records the user may read added after the cursor, deletions, next cursor.

    The cursor is opaque to callers ("R.T": the last record id and the last deletion given).
    `since` empty: from the first. Deleted records (objection, retention, end) come as
    tombstones `{"id", "deleted": true, "kind", "reason"}`, even after sharing has stopped,
    so a sync removes its copies; new records only while sharing runs.
    """
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    after, after_deleted = _cursor(since)
    records = []
    if selectors.sharing_open(partnership):
        records = list(selectors.record_rows(
            selectors.records_visible(user=user, partnership_id=partnership.pk)
            .filter(pk__gt=after).order_by("pk"))[:CHANGES_PAGE])
    kinds = partnership.agreement.kinds
    tombstones = list(Tombstone.objects.filter(
        partnership=partnership, pk__gt=after_deleted, kind__in=kinds).order_by("pk")
        .values("pk", "record_id", "kind", "reason")[:CHANGES_PAGE])
    codes = dict(Membership.objects.filter(partnership=partnership)
                 .values_list("establishment_id", "establishment__code"))
    items = [selectors.record_out(record, codes) for record in records]
    items += [{"id": t["record_id"], "deleted": True, "kind": t["kind"], "reason": t["reason"]}
              for t in tombstones]
    if records:
        audit_record(action="partnership.changes_read", actor=user, obj=partnership,
                     request=request,
                     summary=Text(gettext_noop("%(name)s: %(count)s records"),
                                  name=partnership.name, count=len(records)))
    cursor = (f"{records[-1]['id'] if records else after}."
              f"{tombstones[-1]['pk'] if tombstones else after_deleted}")
    return {"items": items, "cursor": cursor}


@transaction.atomic
def partnership_end(*, partnership: Partnership, actor=None, request=None) -> int:
    """End a partnership: sharing stops and every shared record is deleted; return how many.

    The command (`s2s end_partnership`), the page and the API all end through here.
    """
    deleted = records_delete(SharedRecord.objects.filter(partnership=partnership),
                             reason=DeleteReason.ENDED)
    Partnership.objects.filter(pk=partnership.pk).update(status=Status.ENDED,
                                                         ended_at=timezone.now())
    partnership.status = Status.ENDED
    audit_record(action="partnership.ended", actor=actor, obj=partnership, request=request,
                 actor_username="" if actor else "s2s",
                 summary=Text(gettext_noop("%(name)s: ended, %(count)s shared records deleted"),
                              name=partnership.name, count=deleted))
    return deleted


def partnership_end_by(*, user, partnership_id: int, request=None) -> Partnership:
    """End a partnership for a member (404 for others).

    Any member may: a member withdrawing its signature from the one agreement leaves no
    agreement every member has signed.
    """
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if not has_capability(user, Action.PARTNERSHIPS) or not user.establishment_id:
        raise Http404
    if partnership.status == Status.ENDED:
        raise ServiceError(_("This partnership has already ended."), code="not_open")
    partnership_end(partnership=partnership, actor=user, request=request)
    return partnership


@transaction.atomic
def partnership_renew(*, user, partnership_id: int, review_date: date,
                      request=None) -> Partnership:
    """Renew the agreement to a new review date: every member signs it again.

    Any member may renew. A renewal is a reviewed agreement, so the signatures given for the
    old review date no longer stand: they are cleared and the partnership awaits signatures
    (sharing pauses) until every member has signed again, which (re)activates it, a lapsed
    one too. Reminders follow the new date (they are claimed per review date).
    """
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if not has_capability(user, Action.PARTNERSHIPS) or not user.establishment_id:
        raise Http404
    if partnership.status == Status.ENDED:
        raise ServiceError(_("This partnership has ended; it cannot be renewed."),
                           code="not_open")
    if review_date <= timezone.localdate():
        raise ServiceError(_("The review date must be in the future."), field="review_date")
    old = partnership.agreement.review_date
    Agreement.objects.filter(partnership=partnership).update(review_date=review_date)
    Membership.objects.filter(partnership=partnership).update(
        signed_by=None, signed_by_username="", signed_at=None)
    Partnership.objects.filter(pk=partnership.pk).update(status=Status.AWAITING)
    audit_record(action="partnership.renewed", actor=user, obj=partnership, request=request,
                 summary=Text(gettext_noop("%(name)s: review date %(old)s -> %(new)s, awaiting "
                                           "every member's signature"),
                              name=partnership.name, old=str(old), new=str(review_date)))
    partnership.refresh_from_db()
    partnership.agreement.refresh_from_db()
    return partnership


def can_sign(user, partnership: Partnership) -> bool:
    """Return whether the user may sign now: a member not yet signed, partnership open."""
    return (can(user, Action.PARTNERSHIPS, partnership)
            and partnership.status == Status.AWAITING
            and Membership.objects.filter(partnership=partnership,
                                          establishment_id=user.establishment_id,
                                          signed_at__isnull=True).exists())


def pupils_read(*, user, partnership_id: int, request=None) -> tuple[Partnership, list]:
    """Return the partnership and the pupils linked to the user's institution (audited)."""
    partnership = selectors.partnership_get(user=user, partnership_id=partnership_id)
    if not selectors.sharing_open(partnership):
        return partnership, []
    places = list(selectors.pupil_places(user=user, partnership=partnership))
    if places:
        audit_record(action="partnership.pupils_listed", actor=user, obj=partnership,
                     request=request,
                     summary=Text(gettext_noop("%(name)s: %(count)s pupils"), name=partnership.name,
                                  count=len(places)))
    return partnership, places
