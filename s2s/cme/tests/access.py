"""Who may reach the CME pages: the LA's CME officers only (their LA's signals and cases).

A case of LA 838 (the matrix's own LA) and one of LA 681, which nobody of LA 838 reaches; a
signal at 8383321 (LA 838) and one at 6812345 (LA 681), to open a case from.
"""

from s2s.core.tests.matrix import Row

CME = frozenset({"la_cme"})
NOBODY = frozenset()


def _case(la) -> dict:
    from s2s.cme.models import Case

    return {"pk": Case.objects.create(la=la, upn="H801200001001", surname="Smith",
                                      forename="Amy").pk}


def _signal(school) -> dict:
    from datetime import date

    from s2s.cme.models import Signal

    signal, _new = Signal.objects.get_or_create(
        kind="absence_10_days", establishment=school, upn="H801200001001",
        first_day=date(2025, 10, 20), defaults={"surname": "Smith", "forename": "Amy",
                                                "fired_on": date(2025, 11, 7)})
    return {"pk": signal.pk}


ROWS = [
    Row("cme:signals", allowed=CME),
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
