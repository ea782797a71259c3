"""LA monitoring: the CTFs within, into and out of an LA, and those its schools have not collected.

Seed 003, 5.3: three views (within the LA, coming in from other LAs, leaving to other LAs),
each counting collected against awaiting with each file's age; and a "not collected" view with
the pupils' names, UPNs and DOBs, from which the LA deletes or forwards a file. Every read is
narrowed by the policy (`MONITOR_LA_FILES`, `MANAGE_LA_FILES`, `LA_COPIES`) to the user's LA.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, can, scope
from s2s.audit.services import audit_record
from s2s.ctf.words import Text
from s2s.directory.models import Establishment
from s2s.transfers.models import Transfer, TransferPupil, TransferStatus

_RELATED = ("source_establishment", "source_la", "destination_establishment", "destination_la",
            "redirected_from")


@dataclass(frozen=True, slots=True)
class MonitoringView:
    """One of the three monitoring tabs."""

    key: str
    label: str
    empty: str


VIEWS = {
    "within": MonitoringView("within", _("Within your LA"),
                             _("No CTFs have moved within your LA.")),
    "incoming": MonitoringView("incoming", _("Coming in from other LAs"),
                               _("No CTFs have come in from other LAs.")),
    "outgoing": MonitoringView("outgoing", _("Leaving to other LAs"),
                               _("No CTFs have left for other LAs.")),
}
DEFAULT_VIEW = "within"


def _from_la(la_id: int) -> Q:
    return Q(source_establishment__la_id=la_id) | Q(source_la_id=la_id)


def _to_la(la_id: int) -> Q:
    return Q(destination_establishment__la_id=la_id) | Q(destination_la_id=la_id)


def monitoring_view(key: str | None) -> MonitoringView:
    """Return the tab asked for, or the first one for anything else."""
    return VIEWS.get(key or "", VIEWS[DEFAULT_VIEW])


def la_monitored(*, user, view: str, school: Establishment | None = None,
                 status: str = "") -> QuerySet[Transfer]:
    """Return the CTFs of one monitoring tab for the user's LA, oldest awaiting first.

    within: from and to the LA's places; incoming: to them from another LA's; outgoing: from
    them to another LA's. Lost-pupil files are the Lost Pupil Database's, not here.
    """
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.MONITOR_LA_FILES)
    la = user.la_id
    if view == "incoming":
        files = files.filter(_to_la(la)).exclude(_from_la(la))
    elif view == "outgoing":
        files = files.filter(_from_la(la)).exclude(_to_la(la))
    else:
        files = files.filter(_from_la(la)).filter(_to_la(la))
    if school is not None:
        files = files.filter(Q(source_establishment=school) | Q(destination_establishment=school))
    if status:
        files = files.filter(status=status)
    return files.order_by("uploaded_at", "id")


def status_counts(files: QuerySet[Transfer]) -> dict[str, int]:
    """Return how many of these files are awaiting, collected, rejected and deleted."""
    counts = files.order_by().aggregate(
        **{value: Count("id", filter=Q(status=value)) for value in TransferStatus.values},
        total=Count("id"),
    )
    return counts


def age_in_days(transfer: Transfer, now: datetime | None = None) -> int:
    """Return how many whole days the file waited: until collected, rejected, deleted or now."""
    end = (transfer.collected_at or transfer.rejected_at or transfer.deleted_at
           or now or timezone.now())
    return max((end - transfer.uploaded_at).days, 0)


def with_ages(transfers) -> list[Transfer]:
    """Return the files with `age_days` set on each, from one clock reading."""
    now = timezone.now()
    rows = list(transfers)
    for transfer in rows:
        transfer.age_days = age_in_days(transfer, now)
    return rows


def la_schools(*, user) -> QuerySet[Establishment]:
    """Return the schools of the user's LA, for the filters and destination choices."""
    if not user.la_id:
        return Establishment.objects.none()
    return Establishment.objects.filter(la_id=user.la_id).order_by("code")


def la_not_collected(*, user, school: Establishment | None = None) -> QuerySet[Transfer]:
    """Return the CTFs awaiting collection at the LA's schools and mailboxes, oldest first."""
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.MANAGE_LA_FILES)
    files = files.filter(status=TransferStatus.AWAITING, stored_file__isnull=False)
    if school is not None:
        files = files.filter(destination_establishment=school)
    pupils = TransferPupil.objects.only(
        "transfer_id", "position", "upn", "surname", "forename", "dob"
    ).order_by("position")
    return files.prefetch_related(Prefetch("pupils", queryset=pupils)).order_by("uploaded_at", "id")


def not_collected_viewed(*, user, transfers: list[Transfer], request=None) -> None:
    """Audit that the user saw these files' pupils: the files and the UPNs shown."""
    if not transfers:
        return
    upns = [pupil.upn for transfer in transfers for pupil in transfer.pupils.all() if pupil.upn]
    audit_record(
        action="la_not_collected_view", actor=user, request=request,
        summary=Text(gettext_noop("%(files)s files not collected, %(pupils)s pupils"),
                     files=len(transfers), pupils=len(upns)),
        detail={"transfers": [transfer.pk for transfer in transfers], "upns": upns},
    )


def la_copies(*, user, school: Establishment | None = None) -> QuerySet[Transfer]:
    """Return the CTFs the LA's schools sent and received that are still held, newest first.

    Nothing when the LA's copies switch is off (seed 003, 3.9).
    """
    files = scope(user, Transfer.objects.select_related(*_RELATED), Action.LA_COPIES)
    files = files.filter(stored_file__isnull=False)
    if school is not None:
        files = files.filter(Q(source_establishment=school) | Q(destination_establishment=school))
    return files.order_by("-uploaded_at", "-id")


def la_copies_open(user) -> bool:
    """Return whether the user may see its LA's copies now (role, and the switch on)."""
    return user.la_id is not None and can(user, Action.LA_COPIES, user.la)


def row_permissions(user, transfers: list[Transfer]) -> dict[int, dict[str, bool]]:
    """Return, per file held at the LA's places, whether the user may forward, delete, split.

    Splitting (phase transfer, seed 003, 1.5) is for a bulk CTF at the user's own mailbox.
    """
    ids = [transfer.pk for transfer in transfers]

    def allowed(action: str) -> set[int]:
        return set(scope(user, Transfer.objects.filter(pk__in=ids), action)
                   .values_list("pk", flat=True))

    managed, deletable = allowed(Action.MANAGE_LA_FILES), allowed(Action.WITHDRAW_FILES)
    received = allowed(Action.RECEIVE_FILES)
    return {pk: {"can_forward": pk in managed, "can_delete": pk in managed and pk in deletable,
                 "can_split": pk in managed and pk in received} for pk in ids}


def pupils_viewed(*, user, transfer: Transfer, pupils: list[TransferPupil], request=None) -> None:
    """Audit that the user saw one file's pupils (the phase transfer page): the UPNs shown."""
    audit_record(
        action="transfer_pupils_view", actor=user, obj=transfer, request=request,
        summary=Text(gettext_noop("%(name)s: %(count)s pupils"), name=transfer.name,
                     count=len(pupils)),
        detail={"name": transfer.name, "upns": [pupil.upn for pupil in pupils if pupil.upn]},
    )
