"""Who may reach the matcher's pages: the review (an LA's lost pupil officers, for pairs at
their LA's schools; the service for all) and the runs page (the service administrator).

A pair is made at the user's LA's school (8384512) and one at another LA's (6812345), each of
a file a school sent to the Lost Pupil Database. A pair at another LA's school answers 404 to
every LA role. Forwarding is for a lost pupil transfer officer, of an accepted pair.
"""

from s2s.core.tests.matrix import Row

REVIEWERS = frozenset({"admin", "la_lost_pupil", "la_lost_pupil_transfer"})
ADMIN = frozenset({"admin"})
TRANSFER = frozenset({"la_lost_pupil_transfer"})
NOBODY = frozenset()


def _own(world):
    from s2s.matching.tests.test_review import make_pair

    return {"pk": make_pair(world.users["school"], world.receiving_school).pk}


def _other_la(world):
    from s2s.matching.tests.test_review import make_pair

    return {"pk": make_pair(world.users["school"], world.outsider_school).pk}


ROWS = [
    Row("matching:pairs", allowed=REVIEWERS),
    Row("matching:pair", allowed=REVIEWERS, kwargs=_own, label="own LA's school's"),
    Row("matching:pair", allowed=ADMIN, kwargs=_other_la, label="another LA's school's"),
    Row("matching:accept", allowed=REVIEWERS, kwargs=_own, method="post",
        label="own LA's school's", redirect="matching:pair"),
    Row("matching:accept", allowed=ADMIN, kwargs=_other_la, method="post",
        label="another LA's school's", redirect="matching:pair"),
    Row("matching:reject", allowed=REVIEWERS, kwargs=_own, method="post",
        label="own LA's school's", redirect="matching:pair"),
    Row("matching:reject", allowed=ADMIN, kwargs=_other_la, method="post",
        label="another LA's school's", redirect="matching:pair"),
    Row("matching:forward", allowed=TRANSFER, kwargs=_own, method="post",
        label="not accepted", redirect="matching:pair"),
    Row("matching:forward", allowed=NOBODY, kwargs=_other_la, method="post",
        label="another LA's school's"),
    Row("matching:runs", allowed=ADMIN),
    Row("matching:runs", allowed=ADMIN, method="post", label="start a full run",
        redirect="matching:runs"),
]
