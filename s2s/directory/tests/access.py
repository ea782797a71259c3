"""Who may reach the directory pages: LAs, schools and agencies, in scope and out of it."""

from s2s.core.tests.matrix import Row

ADMIN = frozenset({"admin"})
DBA = frozenset({"admin", "la_dba"})
SCHOOL_VIEWERS = frozenset({"admin", "la_dba", "la_dba_view"})
LA_ROLES = frozenset({
    "la_dba", "la_dba_view", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer",
    "la_census", "la_admissions", "la_cme",
})


def _own_la(world):
    return {"number": world.home_la.number}


def _other_la(world):
    return {"number": world.other_la.number}


def _own_school(world):
    return {"code": world.own_school.code}


def _outsider_school(world):
    return {"code": world.outsider_school.code}


ROWS = [
    Row("directory:la-list", allowed=ADMIN),
    Row("directory:la-create", allowed=ADMIN),
    Row("directory:la-create", allowed=ADMIN, method="post", label="post"),
    Row("directory:la-detail", allowed=ADMIN, kwargs=_own_la, label="the user's own LA"),
    Row("directory:la-detail", allowed=ADMIN, kwargs=_other_la, label="another LA"),
    Row("directory:la-edit", allowed=ADMIN, kwargs=_own_la, label="the user's own LA"),
    Row("directory:la-edit", allowed=ADMIN, kwargs=_other_la, label="another LA"),
    Row("directory:la-edit", allowed=ADMIN, kwargs=_other_la, method="post",
        label="another LA, post"),
    # The service has no LA of its own: "LA details" takes it to the list of LAs.
    # The service has no LA of its own: it is sent to the list of LAs.
    Row("directory:my-la", allowed=ADMIN | LA_ROLES, redirect="directory:la-list"),
    Row("directory:my-la-edit", allowed=frozenset({"la_dba"})),
    Row("directory:my-la-edit", allowed=frozenset({"la_dba"}), method="post", label="post"),
    Row("directory:school-list", allowed=SCHOOL_VIEWERS),
    Row("directory:school-detail", allowed=SCHOOL_VIEWERS, kwargs=_own_school,
        label="a school of the user's LA"),
    Row("directory:school-detail", allowed=ADMIN, kwargs=_outsider_school,
        label="another LA's school"),
    Row("directory:school-edit", allowed=DBA, kwargs=_own_school,
        label="a school of the user's LA"),
    Row("directory:school-edit", allowed=ADMIN, kwargs=_outsider_school,
        label="another LA's school"),
    Row("directory:school-edit", allowed=ADMIN, kwargs=_outsider_school, method="post",
        label="another LA's school, post"),
    Row("directory:school-successor", allowed=ADMIN, kwargs=_own_school,
        label="a school of the user's LA"),
    Row("directory:school-successor", allowed=ADMIN, kwargs=_outsider_school,
        label="another LA's school"),
    Row("directory:agency-list", allowed=SCHOOL_VIEWERS),
    Row("directory:agency-create", allowed=frozenset({"la_dba"})),
    Row("directory:agency-create", allowed=frozenset({"la_dba"}), method="post", label="post"),
]
