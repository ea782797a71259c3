"""Searching the Lost Pupil Database (seed 003, 4.1): find the child, rank, say why.

Every criterion given must match (UPN also matches the former UPN; surname matches the legal,
preferred and former surnames and each part of a double name; DOB optionally with day and
month swapped). Names match exactly, by "begins" (an exact prefix) or, by default, sound-alike:
the same `sound_key`, or one typo (a Damerau-Levenshtein distance of 1).

How it stays fast on a million records: the database narrows the records by an index first,
the most selective one given (UPN, DOB, surname key or prefix, forename key, postcode, town).
When that leaves at most `CANDIDATES` records, they are read in one query (their key columns,
their surname variants as copied on the record, and what a page shows, the LA's number and the
school's code by joins) and Python scores each (typos are found here: a DOB narrows a million
records to a few hundred). When it leaves more (a common surname alone), the database also
applies every name condition by its keys, counts, sorts and pages, and only the page's records
are read and scored.

Scoring each candidate (points per criterion, the reasons told) is `scoring.py`; this module
prepares the criteria and asks the database.

A criterion is only what can narrow the search (issue 20, 4): text with no letter (a name or
town) or no letter or digit (a postcode) is refused, never dropped, or `surname=.` would list
every record; a UPN must have a UPN's shape, whole or its first four characters or more; and
a record that matched no criterion is never returned.
"""

from dataclasses import asdict, dataclass, field, replace
from datetime import date

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.errors import ServiceError
from s2s.directory.models import Establishment, LocalAuthority
from s2s.lostpupils.keys import postcode_key, swapped
from s2s.lostpupils.models import HELD, LostPupilName, LostPupilRecord
from s2s.lostpupils.phonetics import (
    fused_forms,
    name_parts,
    normalise,
    sound_key,
)
from s2s.lostpupils.scoring import UPN_LENGTH, checks_for, score_row
from s2s.matching.names import forename_variants

# Up to this many candidates are scored in Python; more are narrowed, sorted and paged by SQL.
CANDIDATES = 1000
PER_PAGE = 25
# Up to this many sound-alike name rows are each asked whether their record matched earlier;
# more are counted as distinct records (a sort of every row under the key).
_FEW_ALIKE = 200
SOUNDALIKE, BEGINS = "soundalike", "begins"
# Sortable columns: name in the URL -> the record's field (SQL) and the light row's key.
SORTS = {
    "score": None, "upn": "upn", "surname": "surname_norm", "forename": "forename_norm",
    "dob": "dob", "sex": "sex", "town": "town_norm", "la": "uploading_la__number",
    "school": "uploading_school__code", "uploaded": "uploaded_at",
}
# A candidate's row: what is scored, the surname variants, and what a page shows of it.
_SHOWN = ("id", "upn", "former_upn", "surname", "forename", "dob", "sex", "town",
          "uploading_la_id", "uploading_school_id", "uploaded_at")
_LIGHT = (*_SHOWN, "surname_norm", "forename_norm", "forename_key", "name_keys", "town_norm",
          "postcode_norm", "uploading_la__number", "uploading_school__code")
_HIGH = "~"  # sorts after every letter and digit: a prefix's upper bound
# A UPN (`scoring.UPN_LENGTH`): a check letter, 11 digits, then a digit or (a temporary UPN) a
# letter. Searched whole or by a prefix of at least MIN_UPN_PREFIX characters of that shape.
MIN_UPN_PREFIX = 4


@dataclass(frozen=True)
class Criteria:
    """What a person searches by; blank fields are not criteria."""

    upn: str = ""
    surname: str = ""
    forename: str = ""
    dob: date | None = None
    sex: str = ""
    town: str = ""
    postcode: str = ""
    match: str = SOUNDALIKE
    swap_dob: bool = False

    def is_empty(self) -> bool:
        """Return whether nothing selective was given (sex alone would list half the LPD).

        Text that normalises to nothing (punctuation, digits in a name) is not a criterion.
        """
        query = _prepare(self)
        return not any((query.upn, query.surname, query.forename, query.dobs, query.town,
                        query.postcode))

    def as_audit(self) -> dict:
        """Return the criteria as the audit trail keeps them."""
        values = asdict(self)
        values["dob"] = self.dob.isoformat() if self.dob else ""
        # A NUL cannot be stored in PostgreSQL's JSON; it matches nothing in a search anyway.
        values = {k: v.replace("\x00", "") if isinstance(v, str) else v
                  for k, v in values.items()}
        return {k: v for k, v in values.items() if v not in ("", None, False)}


@dataclass(frozen=True)
class _Name:
    whole: str
    variants: tuple[str, ...]  # the whole name, its parts, then Welsh patronymics fused
    keys: frozenset[str]
    # A forename's nicknames and other spellings' sound keys (`matching/names.py`), so the
    # database finds Catherine for Kate and Victoria for Wiktoria; empty for a surname.
    alike_keys: frozenset[str] = frozenset()


def _name(text: str, *, forename: bool = False) -> _Name | None:
    whole = normalise(text)
    if not whole:
        return None
    variants = tuple(dict.fromkeys((whole, *name_parts(text), *fused_forms(text))))
    keys = frozenset(sound_key(v) for v in variants)
    alike = frozenset(sound_key(v) for v in forename_variants(whole)) - keys if forename else (
        frozenset())
    return _Name(whole, variants, keys, alike)


@dataclass(frozen=True)
class _Query:
    """The criteria, normalised once."""

    criteria: Criteria
    upn: str
    surname: _Name | None
    forename: _Name | None
    dobs: tuple[date, ...]
    sex: str
    town: str
    postcode: str

    @property
    def begins(self) -> bool:
        return self.criteria.match == BEGINS

    def swapped(self) -> "_Query | None":
        """Return the query with surname and forename exchanged, when both are given.

        A forename written as the surname's neighbour (Ahmed Fatima for Fatima Ahmed) is
        found by the exchanged names.
        """
        if not (self.surname and self.forename):
            return None
        return replace(self, surname=_name(self.criteria.forename),
                       forename=_name(self.criteria.surname, forename=True))


def _upn_criterion(text: str) -> str:
    """Return a UPN as searched: capitals, spaces dropped, nothing else changed."""
    return "".join(text.split()).upper()


def upn_looks_right(text: str) -> bool:
    """Return whether a UPN criterion is a whole UPN or a prefix of 4 or more of its shape."""
    upn = _upn_criterion(text)
    if not (MIN_UPN_PREFIX <= len(upn) <= UPN_LENGTH and upn.isascii()):
        return False
    letter, digits, last = upn[0], upn[1:UPN_LENGTH - 1], upn[UPN_LENGTH - 1:]
    return letter.isalpha() and digits.isdigit() and (last.isdigit() or last.isalpha()
                                                      or not last)


# What each text criterion must hold to narrow anything: (its normalised form, the refusal).
_TEXT_CRITERIA = {
    "surname": (normalise, gettext_lazy("A surname must have at least one letter")),
    "forename": (normalise, gettext_lazy("A forename must have at least one letter")),
    "town": (normalise, gettext_lazy("A town must have at least one letter")),
    "postcode": (postcode_key,
                 gettext_lazy("A postcode must have at least one letter or digit")),
}


def criteria_refusal(criteria: Criteria) -> ServiceError | None:
    """Return why these criteria cannot be searched, or None if they can.

    A criterion that cannot narrow the search is refused by name, as the empty search is:
    dropping it would widen the search to every record.
    """
    if criteria.upn.strip() and not upn_looks_right(criteria.upn):
        return ServiceError(
            _("Enter a UPN as 13 characters, a letter then 12 digits (the last may be a "
              "letter), or at least its first %(n)d characters") % {"n": MIN_UPN_PREFIX},
            code="invalid_upn", field="upn")
    for name, (key, refusal) in _TEXT_CRITERIA.items():
        text = getattr(criteria, name)
        if text.strip() and not key(text):
            return ServiceError(str(refusal), code="not_a_criterion", field=name)
    if criteria.is_empty():
        return ServiceError(
            _("Enter a UPN, surname, forename, date of birth, town or postcode."),
            code="no_criteria", field="surname")
    return None


def _prepare(criteria: Criteria) -> _Query:
    dobs: tuple[date, ...] = ()
    if criteria.dob:
        other = swapped(criteria.dob) if criteria.swap_dob else None
        dobs = (criteria.dob, other) if other else (criteria.dob,)
    return _Query(
        criteria=criteria,
        upn=_upn_criterion(criteria.upn) if upn_looks_right(criteria.upn) else "",
        surname=_name(criteria.surname),
        forename=_name(criteria.forename, forename=True), dobs=dobs,
        sex=(criteria.sex or "").upper()[:1],
        town=normalise(criteria.town), postcode=postcode_key(criteria.postcode),
    )


# --- the database's part: narrowing by indexes ----------------------------------------------

def _prefix(field_name: str, prefix: str) -> Q:
    """Return `field starts with prefix` as a range, which every backend reads from an index."""
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lte": prefix + _HIGH * 20})


def _surname_q(query: _Query) -> Q:
    names = LostPupilName.objects.all()
    if query.begins:
        condition = Q(pk__in=[])
        for variant in query.surname.variants:
            condition |= _prefix("name", variant)
        names = names.filter(condition)
    else:
        names = names.filter(Q(key__in=query.surname.keys) | Q(name__in=query.surname.variants))
    return Q(pk__in=names.values("record_id"))


def _forename_q(query: _Query) -> Q:
    keys = query.forename.keys | query.forename.alike_keys
    return Q(forename_key__in=keys) | _prefix("forename_norm", query.forename.whole)


def _names_q(query: _Query) -> Q:
    """Return "the surname and forename match", or match exchanged, through their indexes."""
    both = _surname_q(query) & _forename_q(query)
    other = query.swapped()
    if other is None:
        return both
    return _either(both, _surname_q(other) & _forename_q(other))


def _either(*conditions: Q) -> Q:
    """Return "any of these indexed conditions" as a UNION of one index read each.

    A plain OR of two columns makes SQLite scan the table; a UNION reads both indexes on
    every backend.
    """
    records = LostPupilRecord.objects.order_by()
    reads = [records.filter(condition).values("id") for condition in conditions]
    return Q(pk__in=reads[0].union(*reads[1:]))


def _upn_q(upn: str) -> Q:
    """Return "the UPN or the former UPN is this one", or begins with it for a prefix."""
    if len(upn) == UPN_LENGTH:
        return _either(Q(upn=upn), Q(former_upn=upn))
    return _either(_prefix("upn", upn), _prefix("former_upn", upn))


def _filters(query: _Query, *, strict: bool) -> Q:
    """Return the conditions the database applies through its indexes.

    Unless strict, names are left to Python when a UPN or DOB narrows the records (so names
    with one typo are found).
    """
    condition = Q(status__in=HELD)
    if query.upn:
        condition &= _upn_q(query.upn)
    if query.dobs:
        # The DOB and, if asked for, the DOB with day and month swapped: one index read.
        condition &= Q(dob__in=query.dobs)
    anchored = bool(query.upn or query.dobs) and not strict
    if query.surname and query.forename and not anchored:
        condition &= _names_q(query)
    elif query.surname and not anchored:
        condition &= _surname_q(query)
    elif query.forename and not anchored:
        condition &= _forename_q(query)
    if query.sex:
        condition &= Q(sex=query.sex)
    if query.town:
        condition &= Q(town_norm=query.town)
    if query.postcode:
        condition &= _prefix("postcode_norm", query.postcode)
    return condition


# --- putting it together ----------------------------------------------------------------------

@dataclass
class Hit:
    """One record found: its score, why, and (for the page shown) the record itself."""

    id: int
    score: int
    reasons: list[str] = field(default_factory=list)
    row: dict = field(default_factory=dict)
    record: LostPupilRecord | None = None

    @property
    def reason(self) -> str:
        text = ", ".join(self.reasons)
        return text[:1].upper() + text[1:]


def _light_rows(queryset: QuerySet) -> list[dict] | None:
    """Return the candidates' rows (`_LIGHT`) in one query, or None if there are too many."""
    rows = list(queryset.order_by().values(*_LIGHT)[:CANDIDATES + 1])
    return rows if len(rows) <= CANDIDATES else None


def _instance(model: type[Model], values: dict) -> Model:
    """Return an instance of the model with these fields loaded; the others are deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


def _record_of(row: dict) -> LostPupilRecord:
    """Return the record of a candidate's row, with its LA and school: what a page shows.

    Built from the row already read, not read again; a field not in `_SHOWN` is read from the
    database if asked for (Django's deferred fields).
    """
    record = _instance(LostPupilRecord, {name: row[name] for name in _SHOWN})
    record.uploading_la = _instance(LocalAuthority, {"id": row["uploading_la_id"],
                                                     "number": row["uploading_la__number"]})
    record.uploading_school = (_instance(Establishment, {
        "id": row["uploading_school_id"], "code": row["uploading_school__code"]})
        if row["uploading_school_id"] else None)
    return record


def _sorted_hits(hits: list[Hit], sort: str) -> list[Hit]:
    """Return the hits closest first, or by a column (blanks last, whichever direction)."""
    column = SORTS.get(sort.lstrip("-"))
    if column is None:
        return sorted(hits, key=lambda h: (-h.score, h.row["surname_norm"],
                                           h.row["forename_norm"], h.id))
    present = [h for h in hits if h.row[column] not in (None, "")]
    missing = [h for h in hits if h.row[column] in (None, "")]
    return sorted(present, key=lambda h: (h.row[column], h.id),
                  reverse=sort.startswith("-")) + missing


def _sql_order(query: _Query, sort: str) -> list:
    column = SORTS.get(sort.lstrip("-"))
    if column is not None:
        return [f"-{column}" if sort.startswith("-") else column, "id"]
    exact = Case(When(surname_norm=query.surname.whole if query.surname else "", then=Value(0)),
                 default=Value(1), output_field=IntegerField())
    return [exact, "surname_norm", "forename_norm", "id"]


def _record_page(page: Page) -> list[Hit]:
    """Give each hit of the page its record, from the row read for it."""
    for hit in page.object_list:
        hit.record = _record_of(hit.row)
    return page.object_list


def _scored(query: _Query, rows: list[dict]) -> list[Hit]:
    hits = []
    checks = checks_for(query)
    for row in rows:
        scored = score_row(query, row, checks)
        if scored is not None:
            hits.append(Hit(id=row["id"], score=scored[0], reasons=scored[1], row=row))
    return hits


def _page_from_sql(query: _Query, queryset: QuerySet, sort: str, page: int,
                   per_page: int) -> Page:
    ids = queryset.order_by(*_sql_order(query, sort)).values_list("id", flat=True)
    return _page_of_ids(query, ids, page, per_page)


def _page_of_ids(query: _Query, ids, page: int, per_page: int) -> Page:
    """Return a page of these record ids (in order) as scored hits with their records.

    A record the database selected that the scoring finds no match in is left out, never
    shown with no score (the page is then one short; the count is the database's).
    """
    paged = Paginator(ids, per_page).get_page(page)
    ids = list(paged.object_list)
    rows = _light_rows(LostPupilRecord.objects.filter(pk__in=ids)) or []
    by_id = {row["id"]: row for row in rows}
    checks = checks_for(query)
    hits = []
    for record_id in (i for i in ids if i in by_id):
        row = by_id[record_id]
        scored = score_row(query, row, checks)
        if scored is None:
            continue
        hits.append(Hit(id=record_id, score=scored[0], reasons=scored[1], row=row))
    paged.object_list = hits
    _record_page(paged)
    return paged


def _surname_only(query: _Query) -> bool:
    criteria = query.criteria
    return bool(query.surname) and not query.begins and not any((
        criteria.upn, criteria.forename, criteria.dob, criteria.sex, criteria.town,
        criteria.postcode))


class _NameMatches:
    """The records whose surname sounds like the query, as a sequence for Paginator.

    Read from the surname keys alone (only held records have keys), exact names first, each
    part in the order of its covering index (name, record; key, name, record), so a common
    surname on a million records is counted and paged from the index without sorting.

    A record is counted and listed once, at its first matching row in that order, though
    several of its variants may match (a former surname that sounds like its legal one,
    both halves of a double name). A row's key is its name's key, so every matching record
    has a row under the query's keys: when some name sounds like the query without being it,
    the records are counted as the distinct records under those keys; a page keeps a row
    only when its record has no earlier matching row, asked of the record's few variants
    through their own index (record, kind, name, key) for the rows paged past, not all.
    """

    def __init__(self, query: _Query):
        self.names = LostPupilName.objects.order_by()
        self.variants, self.keys = query.surname.variants, query.surname.keys
        self.exact = self.names.filter(name__in=self.variants)
        self.alike = self.names.filter(key__in=self.keys).exclude(name__in=self.variants)
        self._counts: tuple[int, int] | None = None

    def _first_of_record(self, rows: QuerySet, earlier: Q) -> QuerySet:
        """Return the rows whose record has no earlier matching row.

        A scalar subquery with LIMIT, not EXISTS: PostgreSQL then asks it of each row it
        pages past, instead of joining every row of a common name.
        """
        before = self.names.filter(earlier, record=OuterRef("record")).values("pk")[:1]
        return rows.alias(before=Subquery(before)).filter(before__isnull=True)

    def _exact_rows(self) -> QuerySet:
        if len(self.variants) == 1:
            return self.exact  # a record holds each name once (keys.surname_variants)
        return self._first_of_record(self.exact, Q(name__in=self.variants,
                                                   name__lt=OuterRef("name")))

    def _earlier_alike(self) -> Q:
        """Return "an exact row, or a sound-alike row before this one" of the same record."""
        return (Q(name__in=self.variants) | Q(key__in=self.keys, key__lt=OuterRef("key"))
                | Q(key__in=self.keys, key=OuterRef("key"), name__lt=OuterRef("name")))

    def _alike_rows(self) -> QuerySet:
        return self._first_of_record(self.alike, self._earlier_alike())

    def counts(self) -> tuple[int, int]:
        """Return how many records match exactly, and how many only sound alike."""
        if self._counts is None:
            if len(self.variants) == 1:
                exact, alike = self.exact.count(), self._alike_once_count()
            else:
                exact = self._distinct_records(self.exact)
                alike = (self._distinct_records(self.names.filter(key__in=self.keys)) - exact
                         if self.alike.exists() else 0)
            self._counts = (exact, alike)
        return self._counts

    def _alike_once_count(self) -> int:
        """Return the records that only sound like a one-part name (one variant, one key).

        The rows are read either side of the name under its key (two ranges of the index,
        never the exact rows: a common name has tens of thousands). A few are asked of their
        records; more are counted as the distinct records under the key, less the exact ones.
        """
        [name], [key] = self.variants, self.keys
        sides = (self.names.filter(key=key, name__lt=name).values("record_id"),
                 self.names.filter(key=key, name__gt=name).values("record_id"))
        rows = sides[0].union(sides[1], all=True).count()
        if rows == 0:
            return 0
        if rows <= _FEW_ALIKE:
            firsts = [self._first_of_record(side, self._earlier_alike()) for side in sides]
            return firsts[0].union(firsts[1], all=True).count()
        return (self._distinct_records(self.names.filter(key=key))
                - self.exact.filter(key=key).count())

    @staticmethod
    def _distinct_records(rows: QuerySet) -> int:
        return rows.aggregate(n=Count("record_id", distinct=True))["n"]

    def __len__(self) -> int:
        return sum(self.counts())

    def count(self) -> int:
        return len(self)

    def __getitem__(self, window: slice) -> list[int]:
        exact = self.counts()[0]
        start, stop = window.start or 0, window.stop
        ids = []
        if start < exact:
            ids += list(self._exact_rows().order_by("name", "record_id").values_list(
                "record_id", flat=True)[start:min(stop, exact)])
        if stop > exact:
            ids += list(self._alike_rows().order_by("key", "name", "record_id").values_list(
                "record_id", flat=True)[max(start - exact, 0):stop - exact])
        return ids


def search_records(criteria: Criteria, *, sort: str = "score", page: int | str = 1,
                   per_page: int = PER_PAGE) -> Page:
    """Return one page of the records matching the criteria, ranked or sorted, with reasons.

    Each hit has `record` (with its LA's number and school's code) filled in. Sort by a key of
    `SORTS`, "-" first for descending; "score" (the default) ranks the closest first.
    Criteria that `criteria_refusal` refuses raise its ServiceError.
    """
    refusal = criteria_refusal(criteria)
    if refusal is not None:
        raise refusal
    query = _prepare(criteria)
    records = LostPupilRecord.objects.all()
    if _surname_only(query) and sort.lstrip("-") in ("", "score"):
        return _page_of_ids(query, _NameMatches(query), page, per_page)
    # Without a UPN or DOB both passes would be the same query: run it once.
    for strict in (False, True) if query.upn or query.dobs else (True,):
        rows = _light_rows(records.filter(_filters(query, strict=strict)))
        if rows is not None:
            hits = _sorted_hits(_scored(query, rows), sort)
            paged = Paginator(hits, per_page).get_page(page)
            _record_page(paged)
            return paged
    return _page_from_sql(query, records.filter(_filters(query, strict=True)), sort, page,
                          per_page)
