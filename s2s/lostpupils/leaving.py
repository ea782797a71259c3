"""When a lost pupil's record goes: past statutory school leaving age (seed 003, 1.3)."""

from datetime import date

from django.conf import settings


def leaving_age_date(dob: date, *, age: int | None = None) -> date:
    """Return the last day a pupil born on `dob` is of compulsory school age, by our rule.

    The rule: 31 August of the academic year (1 September to 31 August) in which the pupil
    turns `age` (`S2S_LPD_LEAVING_AGE`, default 16). A child born 1 September to 31 December
    turns 16 in the autumn term, so the year ends the next August; one born 1 January to 31
    August turns 16 in the same calendar year's academic year: born 31 August 2009 -> 31 August
    2025; born 1 September 2009 -> 31 August 2026. A 29 February birthday needs no 16th
    birthday to exist: only the month counts.

    Source: seed 003, 1.3 (the LA removes its schools' files "once a pupil reaches statutory
    school leaving age"); Education Act 1996, s.8, and the Education (School Leaving Date)
    Order 1997 (SI 1997/1970): a child may leave on the last Friday in June of the school year
    in which they turn 16. We keep the record to the end of that school year, 31 August, so a
    pupil found in the summer holidays is still found.
    """
    age = settings.S2S_LPD_LEAVING_AGE if age is None else age
    year = dob.year + age + (1 if dob.month >= 9 else 0)
    return date(year, 8, 31)


def purge_due(dob: date | None, *, today: date) -> bool:
    """Return whether a record with this DOB is past leaving age today (no DOB: never)."""
    return dob is not None and today > leaving_age_date(dob)


def latest_dob_due(*, today: date) -> date:
    """Return a DOB bound for the index: every record due has a DOB on or before it.

    Coarse on purpose (31 December of a year): `purge_due` decides each record, so the rule
    lives in one function.
    """
    return date(today.year - settings.S2S_LPD_LEAVING_AGE, 12, 31)
