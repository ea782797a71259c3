"""`PreparedRead`: a read compiled once gives what the queryset gives, read afresh every time."""

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from s2s.accounts.models import ApiToken
from s2s.api.auth import _TOKEN
from s2s.core.prepared import PreparedRead
from s2s.directory.models import Establishment

_CODES = PreparedRead(lambda code: Establishment.objects.filter(
    number=code).order_by("pk").values_list("pk", "name", "closed_on")[:1])
_WITH_COUNT = PreparedRead(lambda key_hash: ApiToken.objects.filter(
    key_hash=key_hash).extra(select={"one": "1"})[:1])
_WITH_TOKENS = PreparedRead(lambda code: Establishment.objects.filter(code=code).annotate(
    newest_name=Subquery(Establishment.objects.filter(la=OuterRef("la")).order_by("-pk")
                         .values("name")[:1]),
    people=Count("users")).order_by()[:1])
_PREFETCHED = PreparedRead(lambda key_hash: ApiToken.objects.filter(
    key_hash=key_hash).prefetch_related("user__api_tokens")[:1])


def test_a_model_and_its_selected_relations_read_as_the_orm_reads_them(
        db, sending_school_user):
    token, key = ApiToken.issue(sending_school_user)
    ours = _TOKEN.first(ApiToken.hash(key))
    theirs = (ApiToken.objects.select_related("user", "user__establishment", "user__la")
              .get(pk=token.pk))
    with CaptureQueriesContext(connection) as queries:
        # The relations came with the row: reading them asks nothing more.
        assert ours.user.establishment.code == theirs.user.establishment.code == "8383321"
        assert ours.user.la == theirs.user.la
    assert len(queries) == 0
    assert {f.attname: getattr(ours, f.attname) for f in ApiToken._meta.concrete_fields} == \
        {f.attname: getattr(theirs, f.attname) for f in ApiToken._meta.concrete_fields}
    assert not ours._state.adding
    assert ours._state.db == "default"


def test_tuples_read_as_values_list_gives_them_and_none_when_no_row(db, receiving_school):
    assert _CODES.first("4512") == (receiving_school.pk, receiving_school.name, None)
    assert _CODES.first("0000") is None


def test_every_call_reads_the_database_so_a_revoke_is_seen_at_once(db, sending_school_user):
    _token, key = ApiToken.issue(sending_school_user)
    assert _TOKEN.first(ApiToken.hash(key)) is not None
    ApiToken.objects.filter(key_hash=ApiToken.hash(key)).update(revoked_at=timezone.now())
    assert _TOKEN.first(ApiToken.hash(key)) is None


def test_annotations_and_extra_columns_read_as_the_orm_reads_them(
        db, sending_school_user, receiving_school):
    _token, key = ApiToken.issue(sending_school_user)
    token = _WITH_COUNT.first(ApiToken.hash(key))
    assert token.user_id == sending_school_user.pk
    assert token.one == 1
    school = _WITH_TOKENS.first(receiving_school.code)
    theirs = _WITH_TOKENS.build(receiving_school.code).get()
    assert school == theirs == receiving_school
    assert (school.newest_name, school.people) == (theirs.newest_name, theirs.people)
    assert school.people == receiving_school.users.count()


def test_a_queryset_with_more_than_models_is_read_by_its_own_iterable(db, sending_school_user):
    _token, key = ApiToken.issue(sending_school_user)
    with CaptureQueriesContext(connection) as queries:
        token = _PREFETCHED.first(ApiToken.hash(key))
    assert token.user_id == sending_school_user.pk
    assert len(queries) == 3  # the token, then the prefetch's user and the user's tokens
    assert token.user.api_tokens.all()[0] == token
