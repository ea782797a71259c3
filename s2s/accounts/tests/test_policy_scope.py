"""The policy's scope rules are written once: `can` on an object and `scope` on a list agree."""

from collections import Counter
from datetime import date

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from s2s.accounts.conditions import as_filter, holds
from s2s.accounts.models import User
from s2s.accounts.policy import _SCOPE_RULES, Action, can, has_capability, scope
from s2s.accounts.roles import LA_ROLES, Role
from s2s.agencies.models import EncompassNotification, ExchangeAgreement
from s2s.cme.models import Case, SchoolReturn, Signal
from s2s.directory.models import Agency, AgencyKind, Establishment, LocalAuthority
from s2s.feeds.models import Feed
from s2s.lostpupils.models import LostPupilRecord
from s2s.matching.models import MatchPair, MatchRun, RollRecord
from s2s.messaging.models import Message, MessageGroup, MessageTemplate, Recipient
from s2s.partnerships.models import Partnership, PupilPlace, SharedRecord
from s2s.reports.tests.conftest import make_transfer
from s2s.transfers.models import Transfer

ACTIONS = sorted(value for name, value in vars(Action).items() if name.isupper())


@pytest.fixture
def world(home_la, other_la, sending_school, receiving_school, outsider_school, agency,
          make_user):
    """Every role in LA 838 (copies switch on) and some in LA 681 (off), and rows of every rule.

    Each row is in some scope and out of others: files within LA 838, into and out of it, at
    its mailboxes, to the Lost Pupil Database, zips; LPD records held and removed, of either
    LA; messages, groups and templates of several owners; feeds of schools of either LA.
    """
    LocalAuthority.objects.filter(pk=other_la.pk).update(receive_ctf_copies=False)
    other_agency = Agency.objects.create(la=other_la, reference="681HLTH", name="Cardiff health",
                                         kind=AgencyKind.HEALTH)
    people = [make_user(Role.ADMIN, username="admin")]
    people += [make_user(role, home_la, username=f"838{role}") for role in LA_ROLES]
    people += [make_user(role, other_la, username=f"681{role}")
               for role in (Role.LA_DBA, Role.LA_USER, Role.LA_LOST_PUPIL)]
    for school in (sending_school, receiving_school, outsider_school):
        people += [make_user(role, school, username=f"{school.code}{role}")
                   for role in (Role.SCHOOL, Role.CONNECTOR)]
    people += [make_user(Role.AGENCY, place, username=f"{place.reference}agency")
               for place in (agency, other_agency)]
    people.append(make_user(Role.SCHOOL, sending_school, username="gone", is_active=False))

    now = timezone.now()
    a, b, o = sending_school, receiving_school, outsider_school
    for source, destination, file_type in [
        (a, b, "CTF"), (b, a, "ZIP"), (a, (home_la, "LLLL"), "CTF"), ((home_la, "LLLL"), b, "CTF"),
        ((home_la, "PLAS"), a, "CTF"), (a, (home_la, "ADMS"), "CTF"), (o, b, "CTF"),
        (a, o, "CTF"), ((home_la, "LLLL"), o, "ZIP"), (o, (other_la, "LLLL"), "CTF"),
        (o, o, "ZIP"), (a, "MMMMMMM", "CTF"),
    ]:
        make_transfer(source, destination, uploaded=now, file_type=file_type)
    run = MatchRun.objects.create(kind="full")
    for school, la, status in [(a, home_la, "open"), (b, home_la, "removed"),
                               (o, other_la, "downloaded"), (o, other_la, "purged")]:
        record = LostPupilRecord.objects.create(
            transfer=make_transfer(school, "XXXXXXX", uploaded=now), kind="XXXXXXX",
            uploading_la=la, uploading_school=school, status=status,
        )
        # A proposed pair at a school of each LA: reviewed by the LA whose school has the child.
        for roll_school in (b, o):
            roll = RollRecord.objects.create(source="feed", establishment=roll_school,
                                             surname=f"S{record.pk}")
            MatchPair.objects.create(run=run, lost_pupil=record, roll_record=roll,
                                     probability=0.9, band="possible")
    by_name = {person.username: person for person in people}
    senders = [by_name["838la_user"], by_name["8383321school"], by_name["681la_dba"]]
    for n, sender in enumerate(senders):
        message = Message.objects.create(sender=sender, sender_label=sender.username,
                                         subject="Pupil enquiry", body="A CTF?", created_at=now)
        for reader in people[n::4]:
            Recipient.objects.create(message=message, user=reader,
                                     deleted_at=now if reader.pk % 3 == 0 else None)
        MessageGroup.objects.create(owner=sender, name="Schools")
        MessageTemplate.objects.create(owner=sender, name="Enquiry", subject="S", body="B")
    for school in (a, b, o):
        Feed.objects.create(establishment=school, kind="roll", format="json", status="accepted")
        Signal.objects.create(kind="absence_10_days", establishment=school, upn="H801200001001",
                              first_day=date(2025, 10, 20), fired_on=date(2025, 11, 7))
    for place, school in ((agency, a), (agency, b), (other_agency, o)):
        ExchangeAgreement.objects.create(agency=place, direction="both", ends=[school.code],
                                         purpose="Nursing", until=date(2099, 1, 1))
        EncompassNotification.objects.create(agency=place, establishment=school,
                                             reference="P/1", read_by_at=now)
        SchoolReturn.objects.create(kind="deletion_return_due", establishment=school,
                                    upn="H801200001001", event_date=date(2025, 10, 20),
                                    due_on=date(2025, 10, 20))
    # A permanent exclusion at another LA's school whose pupil lives in LA 838.
    Signal.objects.create(kind="exclusion_day6", establishment=o, upn="R201100018042",
                          first_day=date(2025, 10, 23), fired_on=date(2025, 11, 6),
                          home_la=home_la)
    for la in (home_la, other_la):
        Case.objects.create(la=la, upn="H801200001001", surname="Smith", forename="Amy")
    _partnerships(by_name)
    return people


def _partnerships(by_name):
    """A signed partnership of 8383321 (main) and 8384512 (partner) with a pupil linked at
    both and records of an agreed and an unagreed kind; one of 6812345 nobody signed."""
    from s2s.partnerships.records import records_push
    from s2s.partnerships.services import partnership_sign, pupil_link
    from s2s.partnerships.tests.conftest import UPN, create, mark

    main, partner = by_name["8383321school"], by_name["8384512school"]
    shared = create(main, members=["8384512"], kinds=["attendance"])
    for user in (main, partner):
        partnership_sign(user=user, partnership_id=shared.pk)
    link = pupil_link(user=main, partnership_id=shared.pk, upn=UPN, main="8383321",
                      links=[{"school": "8384512", "role": "subsidiary"}])
    records_push(user=main, partnership_id=shared.pk, items=[mark(day=date.today())])
    SharedRecord.objects.create(partnership=shared, link=link, source=link.main,
                                kind="assessment", date=date.today())  # not agreed
    create(by_name["6812345school"], members=["8383321"])


@pytest.mark.parametrize("label", sorted(_SCOPE_RULES))
def test_can_on_an_object_answers_as_the_scoped_list_does(world, label):
    model = next(m for m in (
        LocalAuthority, Establishment, Agency, User, Transfer, LostPupilRecord, Message,
        Recipient, MessageGroup, MessageTemplate, Feed, Signal, Case, SchoolReturn,
        Partnership, PupilPlace, SharedRecord, ExchangeAgreement, EncompassNotification,
        MatchPair,
    ) if m._meta.label_lower == label)
    objects = list(model.objects.all())
    answers = Counter()
    for user in world:
        for action in ACTIONS:
            listed = set(scope(user, model.objects.all(), action).values_list("pk", flat=True))
            for obj in objects:
                allowed = can(user, action, obj)
                assert allowed == (obj.pk in listed), (user.username, action, obj)
                if has_capability(user, action) and user.role != Role.ADMIN:
                    answers[allowed] += 1
    # The rule was asked of rows both in and out of some people's scope.
    assert answers[True] > 0
    assert answers[False] > 0


def test_a_dba_lists_itself_among_its_users_but_cannot_manage_or_reset_itself(
        la_dba, la_officer, sending_school_user, outsider_school_user):
    viewed = scope(la_dba, User.objects.all(), Action.VIEW_USERS)
    managed = scope(la_dba, User.objects.all(), Action.MANAGE_USERS)
    reset = scope(la_dba, User.objects.all(), Action.RESET_TWO_FACTOR)
    assert sorted(u.username for u in viewed) == ["8383321", "838dba", "838user"]
    assert sorted(u.username for u in managed) == ["8383321", "838user"]
    assert sorted(u.username for u in reset) == ["8383321", "838user"]
    assert not can(la_dba, Action.MANAGE_USERS, la_dba)


def test_an_la_is_no_source_of_copies_while_its_switch_is_off(la_officer, home_la):
    LocalAuthority.objects.filter(pk=home_la.pk).update(receive_ctf_copies=False)
    home_la.refresh_from_db()
    assert list(scope(la_officer, LocalAuthority.objects.all(), Action.LA_COPIES)) == []
    assert not can(la_officer, Action.LA_COPIES, home_la)
    LocalAuthority.objects.filter(pk=home_la.pk).update(receive_ctf_copies=True)
    home_la.refresh_from_db()
    assert list(scope(la_officer, LocalAuthority.objects.all(), Action.LA_COPIES)) == [home_la]
    assert can(la_officer, Action.LA_COPIES, home_la)


def test_an_la_can_lock_the_files_held_at_its_schools_to_forward_them(
        la_officer, sending_school, receiving_school, outsider_school):
    now = timezone.now()
    held = make_transfer(outsider_school, receiving_school, uploaded=now)
    make_transfer(receiving_school, outsider_school, uploaded=now)
    with transaction.atomic():
        locked = scope(la_officer, Transfer.objects.select_for_update(), Action.MANAGE_LA_FILES)
        assert [t.pk for t in locked] == [held.pk]


def test_a_rule_through_an_empty_relation_matches_nothing_and_its_negation_everything(
        la_officer, home_la, sending_school):
    to_mailbox = make_transfer(sending_school, (home_la, "LLLL"), uploaded=timezone.now())
    through = Q(destination_establishment__la_id=home_la.pk)
    assert not holds(to_mailbox, through)
    assert holds(to_mailbox, ~through)
    assert not Transfer.objects.filter(as_filter(Transfer, through)).exists()
    assert Transfer.objects.filter(as_filter(Transfer, ~through)).get() == to_mailbox


@pytest.mark.parametrize("rule", [
    Q(source_establishment__in=Establishment.objects.none()),
    Q(name__startswith="838"),
    Q(lost_pupil__status="open"),
])
def test_a_rule_the_two_readings_could_answer_differently_is_refused(
        home_la, sending_school, rule):
    transfer = make_transfer(sending_school, (home_la, "LLLL"), uploaded=timezone.now())
    with pytest.raises(TypeError):
        holds(transfer, rule)


def test_can_on_the_rows_of_a_fetched_list_asks_the_database_nothing(
        la_officer, receiving_school_user, sending_school, receiving_school, outsider_school):
    now = timezone.now()
    for source in (sending_school, outsider_school) * 10:
        make_transfer(source, receiving_school, uploaded=now)
    listed = list(Transfer.objects.select_related("source_establishment",
                                                  "destination_establishment"))
    with CaptureQueriesContext(connection) as queries:
        receivable = [can(receiving_school_user, Action.RECEIVE_FILES, t) for t in listed]
        monitored = [can(la_officer, Action.MONITOR_LA_FILES, t) for t in listed]
    assert len(queries) == 0
    assert receivable == [True] * 20
    assert monitored == [True] * 20
