"""Who may see the calendar pages: a school's people, and the roles of its LA."""

from s2s.core.tests.matrix import Row

SCHOOL = frozenset({"school"})  # the MIS connector uses the API only
LA_ROLES = frozenset({
    "la_dba", "la_dba_view", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer",
    "la_census", "la_admissions", "la_cme",
})
NOBODY = frozenset()

ROWS = [
    Row("calendars:mine", allowed=SCHOOL | LA_ROLES),
    Row("calendars:school", allowed=SCHOOL | LA_ROLES,
        kwargs=lambda world: {"code": world.own_school.code}, label="the user's own school"),
    Row("calendars:school", allowed=LA_ROLES,
        kwargs=lambda world: {"code": world.receiving_school.code},
        label="another school of the user's LA"),
    Row("calendars:school", allowed=NOBODY,
        kwargs=lambda world: {"code": world.outsider_school.code}, label="another LA's school"),
    Row("calendars:la", allowed=LA_ROLES, kwargs=lambda world: {"number": world.home_la.number},
        label="the user's own LA"),
    Row("calendars:la", allowed=NOBODY, kwargs=lambda world: {"number": world.other_la.number},
        label="another LA"),
]
