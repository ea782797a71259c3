"""What people do with the matcher's results: review a pair (accept, reject), start a run.

Issue 15, "Bands and review": nothing is linked without a person. An LA lost pupil officer of
the LA whose school has the roll record accepts a pair (the LPD record is marked found, the
uploading LA told by email and message, neither with pupil data) or rejects it (the pair is
never proposed again: it stays, rejected, and a run never proposes a pair that exists). Every
view of a pair, which shows pupil data, is audited.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from s2s.accounts.policy import Action, get_for, has_capability
from s2s.audit.services import audit_record
from s2s.core.errors import ServiceError
from s2s.ctf.words import Text
from s2s.lostpupils.models import RecordStatus
from s2s.lostpupils.services.records import lost_pupil_forward, lost_pupil_found
from s2s.matching.models import MatchPair, PairStatus, RunStatus
from s2s.messaging.recipients import LaTarget, Recipients
from s2s.messaging.services import message_send
from s2s.transfers.models import Transfer

logger = logging.getLogger(__name__)
STALE_HOURS = 24


def _facts(pair: MatchPair) -> dict:
    return {"pair": pair.pk, "record": pair.lost_pupil_id, "roll_record": pair.roll_record_id,
            "school": pair.roll_record.establishment.code, "band": pair.band,
            "probability": round(pair.probability, 4)}


def _audit_pair(action: str, *, user, pair: MatchPair, request=None) -> None:
    """Audit what the user did with the pair: its LPD file and the pair's facts."""
    audit_record(action=action, actor=user, obj=pair.lost_pupil, request=request,
                 summary=pair.lost_pupil.transfer.name, detail=_facts(pair))


def _locked(user, pair: MatchPair) -> MatchPair:
    """Return the pair again, locked, if the user may review it (else Http404)."""
    queryset = MatchPair.objects.select_for_update(of=("self",)).select_related(
        "lost_pupil__transfer", "lost_pupil__uploading_la", "roll_record__establishment")
    return get_for(user, queryset, Action.REVIEW_MATCHES, pk=pair.pk)


def may_decide(user, pair: MatchPair) -> bool:
    """Return whether the user may accept or reject this pair now (the service looks only)."""
    return bool(user.la_id) and pair.status == PairStatus.PROPOSED


def _open(user, pair: MatchPair) -> None:
    """Refuse a pair already reviewed, or a reviewer with no LA (the service looks only)."""
    if not user.la_id:
        raise ServiceError(_("Only a lost pupil officer of the LA whose school has the child "
                             "can accept or reject a match."), code="not_la")
    if pair.status != PairStatus.PROPOSED:
        raise ServiceError(_("This pair has already been reviewed."), code="reviewed")


def _decide(user, pair: MatchPair, status: PairStatus) -> MatchPair:
    """Lock the pair, refuse it if it is not open to this user, and record the decision."""
    pair = _locked(user, pair)
    _open(user, pair)
    pair.status, pair.reviewed_by, pair.reviewed_at = status, user, timezone.now()
    pair.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return pair


def match_pairs_listed(*, user, pairs, request=None) -> None:
    """Audit that this user saw a list of proposed pairs (it shows pupils' names)."""
    audit_record(action="match_pairs_view", actor=user, request=request,
                 summary=Text(gettext_noop("%(count)s pairs"), count=len(pairs)),
                 detail={"pairs": [p.pk for p in pairs]})


def match_pair_view(*, user, pair: MatchPair, request=None) -> None:
    """Audit that this user saw a pair side by side, field by field."""
    _audit_pair("match_pair_view", user=user, pair=pair, request=request)


def _tell_uploading_la(user, pair: MatchPair) -> None:
    """Send the uploading LA's lost pupil people a message, with no pupil data in it."""
    record = pair.lost_pupil
    body = _("The pupil in %(file)s, which a school of your LA sent to the Lost Pupil "
             "Database, has been found on the roll of a school in LA %(la)s by matching. "
             "Nothing more is needed from you.") % {"file": record.transfer.name,
                                                   "la": user.la.number}
    try:
        message_send(user=user, subject=_("A lost pupil has been found"), body=body,
                     to=Recipients(las=(LaTarget(la=record.uploading_la.number),)))
    except ServiceError as error:
        # Nobody at the uploading LA reads messages: the email has told it.
        logger.info("Match pair %s: no message sent (%s)", pair.pk, error.code)


def match_pair_accept(*, user, pair: MatchPair, request=None) -> MatchPair:
    """Accept a pair: the LPD record is found at the roll record's school; tell the uploader."""
    with transaction.atomic():
        pair = _decide(user, pair, PairStatus.ACCEPTED)
        if pair.lost_pupil.status == RecordStatus.OPEN:
            lost_pupil_found(user=user, record=pair.lost_pupil,
                             school=pair.roll_record.establishment, request=request)
            _tell_uploading_la(user, pair)
        _audit_pair("match_pair_accept", user=user, pair=pair, request=request)
    return pair


def match_pair_reject(*, user, pair: MatchPair, request=None) -> MatchPair:
    """Reject a pair: it stays, rejected, so no run proposes it again."""
    with transaction.atomic():
        pair = _decide(user, pair, PairStatus.REJECTED)
        _audit_pair("match_pair_reject", user=user, pair=pair, request=request)
    return pair


def match_pair_forward(*, user, pair: MatchPair, request=None) -> Transfer:
    """Send an accepted pair's LPD file to the school whose roll has the child, in one step."""
    pair = get_for(user, MatchPair.objects.select_related(
        "lost_pupil", "roll_record__establishment"), Action.REVIEW_MATCHES, pk=pair.pk)
    if pair.status != PairStatus.ACCEPTED:
        raise ServiceError(_("Accept the match before you send the file to the school."),
                           code="not_accepted")
    return lost_pupil_forward(user=user, record=pair.lost_pupil,
                              to=pair.roll_record.establishment.code, request=request)


def match_run_start(*, user, request=None) -> None:
    """Queue a full run of the matcher, unless one is already running."""
    from s2s.matching.models import MatchRun
    from s2s.matching.tasks import run_full_match

    if not has_capability(user, Action.MATCH_RUNS):
        raise ServiceError(_("Your role cannot start a match run."), code="not_allowed")
    # A run that died without saying so (its worker killed) stops blocking after a day.
    since = timezone.now() - timedelta(hours=STALE_HOURS)
    if MatchRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=since).exists():
        raise ServiceError(_("A match run is already running: wait for it to finish."),
                           code="running")
    audit_record(action="match_run_start", actor=user, request=request,
                 summary=Text(gettext_noop("full match run queued")))
    transaction.on_commit(lambda: run_full_match.enqueue(user_id=user.pk))
