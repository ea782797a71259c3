"""Who may reach the CME pages: the LA's CME officers (the dashboard, its CSVs, the returns, the
LA's cases);
a signal's page for whoever may see the signal (the LA's lost-pupil officers: a joiner with no
CTF only); the school's own view for its users.

A signal and a return at the user's own school (8383321, LA 838) and at another LA's school
(6812345, LA 681), which nobody of LA 838 reaches; a case of LA 838 and one of LA 681.
"""

from datetime import date

from s2s.core.tests.matrix import Row

CME = frozenset({"la_cme"})
SIGNAL_READERS = frozenset({"admin", "la_cme", "la_user", "school"})
NOBODY = frozenset()


def _signal(school, kind="absence_10_days"):
    from s2s.cme.models import Signal

    signal, _new = Signal.objects.get_or_create(
        kind=kind, establishment=school, upn="H801200001001",
        first_day=date(2025, 10, 20), defaults={"fired_on": date(2025, 11, 7)})
    return {"pk": signal.pk}


def _return(school):
    from s2s.cme.models import SchoolReturn

    item, _new = SchoolReturn.objects.get_or_create(
        kind="deletion_return_due", establishment=school, upn="H801200001001",
        event_date=date(2025, 10, 20), defaults={"due_on": date(2025, 10, 20)})
    return {"pk": item.pk}


def _case(la) -> dict:
    from s2s.cme.models import Case

    return {"pk": Case.objects.create(la=la, upn="H801200001001", surname="Smith",
                                      forename="Amy").pk}


ROWS = [
    Row("cme:signals", allowed=CME),
    Row("cme:csv", allowed=CME, kwargs=lambda world: {"slug": "returns"}, label="a list"),
    Row("cme:csv", allowed=NOBODY, kwargs=lambda world: {"slug": "nothing"},
        label="no such list"),
    Row("cme:signal", allowed=SIGNAL_READERS, kwargs=lambda world: _signal(world.own_school),
        label="own school's"),
    Row("cme:signal", allowed=SIGNAL_READERS | {"la_lost_pupil", "la_lost_pupil_transfer"},
        kwargs=lambda world: _signal(world.own_school, "joiner_no_ctf"),
        label="own school's joiner with no CTF"),
    Row("cme:signal", allowed=frozenset({"admin"}),
        kwargs=lambda world: _signal(world.outsider_school), label="another LA's"),
    Row("cme:school", allowed=frozenset({"school"})),
    Row("cme:returns", allowed=CME),
    Row("cme:return-received", allowed=CME, method="post", redirect="cme:returns",
        kwargs=lambda world: _return(world.own_school), label="own school's"),
    Row("cme:return-received", allowed=NOBODY, method="post",
        kwargs=lambda world: _return(world.outsider_school), label="another LA's"),
    Row("cme:cases", allowed=CME),
    Row("cme:case-open", allowed=CME),
    Row("cme:case", allowed=CME, kwargs=lambda w: _case(w.home_la), label="own LA's"),
    Row("cme:case", allowed=NOBODY, kwargs=lambda w: _case(w.other_la), label="another LA's"),
    Row("cme:case-act", allowed=CME, label="own LA's",
        kwargs=lambda w: {**_case(w.home_la), "action": "start_enquiries"}),
    Row("cme:case-act", allowed=NOBODY, label="another LA's",
        kwargs=lambda w: {**_case(w.other_la), "action": "start_enquiries"}),
    Row("cme:case-open-signal", allowed=CME, kwargs=lambda w: _signal(w.own_school),
        label="own LA's school's"),
    Row("cme:case-open-signal", allowed=NOBODY, kwargs=lambda w: _signal(w.outsider_school),
        label="another LA's school's"),
]
