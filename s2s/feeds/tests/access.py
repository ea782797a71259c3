"""Who may reach the feeds pages: a feed's report for its school and its LA's roles; feed
health for the LA's roles.

A feed sent by the user's own school's connector (8383321, LA 838), and one sent by another
LA's school (6812345, LA 681), which nobody of LA 838 reaches.
"""

from s2s.core.tests.matrix import Row

LA_PAGE_ROLES = frozenset({
    "la_dba", "la_dba_view", "la_user", "la_school", "la_lost_pupil", "la_lost_pupil_transfer",
    "la_census", "la_admissions", "la_cme",
})
REPORT_READERS = LA_PAGE_ROLES | {"school"}
NOBODY = frozenset()


def _own(world):
    from s2s.feeds.tests.conftest import pupil, send_roll

    return {"pk": send_roll(world.users["connector"], [pupil()]).pk}


def _other_la(world):
    from s2s.feeds.tests.conftest import pupil, send_roll

    return {"pk": send_roll(world.outsider_school_user, [pupil()], school="6812345").pk}


ROWS = [
    Row("feeds:health", allowed=LA_PAGE_ROLES),
    Row("feeds:report", allowed=REPORT_READERS, kwargs=_own, label="own school's"),
    Row("feeds:report", allowed=NOBODY, kwargs=_other_la, label="another LA's"),
]
