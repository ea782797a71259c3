"""Who may reach the Lost Pupil Database pages: its LA officers and (searching) the service.

Records are made through the upload service: one sent by the user's own LA's school (8383321)
and one by another LA's school (6812345). The LPD is national, so any searcher finds and views
both, a lost pupil transfer officer downloads and forwards both, and only the uploading LA's
officers remove a record. No school, agency or other LA role reaches any of it.
"""

from s2s.core.tests.matrix import Row

SEARCHERS = frozenset({"admin", "la_lost_pupil", "la_lost_pupil_transfer"})
OFFICERS = frozenset({"la_lost_pupil", "la_lost_pupil_transfer"})
TRANSFER = frozenset({"la_lost_pupil_transfer"})
NOBODY = frozenset()


def _own(world):
    from s2s.lostpupils.tests.conftest import send_lost

    return {"pk": send_lost(world.users["school"], "8383321").lost_pupil.pk}


def _other_la(world):
    from s2s.lostpupils.tests.conftest import send_lost

    return {"pk": send_lost(world.outsider_school_user, "6812345",
                            destination="MMMMMMM").lost_pupil.pk}


ROWS = [
    Row("lostpupils:search", allowed=SEARCHERS),
    Row("lostpupils:la-records", allowed=OFFICERS),
    Row("lostpupils:record", allowed=SEARCHERS, kwargs=_own, label="own LA's school's"),
    Row("lostpupils:record", allowed=SEARCHERS, kwargs=_other_la, label="another LA's"),
    Row("lostpupils:download", allowed=TRANSFER, kwargs=_own, label="own LA's school's"),
    Row("lostpupils:download", allowed=TRANSFER, kwargs=_other_la, label="another LA's"),
    Row("lostpupils:download", allowed=TRANSFER, kwargs=_other_la, method="post",
        label="post, not attested"),
    Row("lostpupils:file", allowed=TRANSFER, kwargs=_other_la, label="not attested",
        redirect="lostpupils:download"),
    Row("lostpupils:confirm", allowed=TRANSFER, kwargs=_other_la, method="post",
        label="post, not downloaded", redirect="lostpupils:download"),
    Row("lostpupils:forward", allowed=TRANSFER, kwargs=_other_la, label="another LA's"),
    Row("lostpupils:forward", allowed=TRANSFER, kwargs=_other_la, method="post",
        label="post, no school"),
    Row("lostpupils:remove", allowed=OFFICERS, kwargs=_own, label="own LA's school's"),
    Row("lostpupils:remove", allowed=NOBODY, kwargs=_other_la, label="another LA's"),
    Row("lostpupils:remove", allowed=OFFICERS, kwargs=_own, method="post",
        label="post, no reason"),
]
