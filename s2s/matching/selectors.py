"""What the matcher's pages read, narrowed by the policy: pairs to review, runs, the model."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.accounts.policy import Action, scope
from s2s.directory.models import Establishment
from s2s.matching.charts import WeightChart
from s2s.matching.models import MatchModel, MatchPair, MatchRun, PairStatus
from s2s.matching.words import level_words

# The comparisons' names in words, in the order a pair's page shows them.
COMPARISON_WORDS = {
    "upn": gettext_lazy("UPN"), "forename": gettext_lazy("Forename"),
    "surname": gettext_lazy("Surname"), "dob": gettext_lazy("Date of birth"),
    "sex": gettext_lazy("Sex"), "place": gettext_lazy("Postcode and town"),
}
# The fields shown side by side: (label, field).
FIELDS = (
    (gettext_lazy("UPN"), "upn"), (gettext_lazy("Former UPN"), "former_upn"),
    (gettext_lazy("Forename"), "forename"), (gettext_lazy("Middle names"), "middle_names"),
    (gettext_lazy("Surname"), "surname"),
    (gettext_lazy("Preferred surname"), "preferred_surname"),
    (gettext_lazy("Former surname"), "former_surname"),
    (gettext_lazy("Date of birth"), "dob"), (gettext_lazy("Sex"), "sex"),
    (gettext_lazy("Postcode"), "postcode"), (gettext_lazy("Town"), "town"),
)


def pairs_for(user, *, band: str = "", school: str = "", status: str = PairStatus.PROPOSED
              ) -> QuerySet:
    """Return the pairs this user may review, highest probability first, filtered."""
    pairs = scope(user, MatchPair.objects.select_related(
        "lost_pupil__transfer", "roll_record__establishment"), Action.REVIEW_MATCHES)
    if band:
        pairs = pairs.filter(band=band)
    if school:
        pairs = pairs.filter(roll_record__establishment__code=school)
    if status:
        pairs = pairs.filter(status=status)
    return pairs.order_by("-probability", "id")


def review_progress(user) -> dict:
    """Return {"reviewed", "total"} of the pairs this user may review."""
    pairs = scope(user, MatchPair.objects.all(), Action.REVIEW_MATCHES)
    counts = pairs.aggregate(total=Count("id"),
                             reviewed=Count("id", filter=~Q(status=PairStatus.PROPOSED)))
    return {"total": counts["total"], "reviewed": counts["reviewed"]}


def pair_schools(user) -> QuerySet:
    """Return the schools that have pairs this user may review, for the filter."""
    pairs = scope(user, MatchPair.objects.all(), Action.REVIEW_MATCHES)
    return Establishment.objects.filter(
        pk__in=pairs.values("roll_record__establishment")).order_by("name")


def pair_rows(pair: MatchPair) -> list[dict]:
    """Return the pair's fields side by side: label, LPD value, roll value, same or not."""
    rows = []
    for label, name in FIELDS:
        left, right = getattr(pair.lost_pupil, name), getattr(pair.roll_record, name)
        if left in ("", None) and right in ("", None):
            continue
        one_side = left in ("", None) or right in ("", None)
        rows.append({"label": label, "field": name, "left": left, "right": right,
                     "one_side": one_side,
                     "same": str(left or "").upper() == str(right or "").upper()})
    return rows


def pair_weights(pair: MatchPair) -> tuple[list[dict], WeightChart]:
    """Return the weights that made the pair's score (comparison, level, weight) and chart."""
    rows = [{"comparison": str(COMPARISON_WORDS.get(name, name)),
             "level": level_words(value.get("level", "")),
             "weight": value.get("weight", 0.0)}
            for name, value in pair.weights.items()]
    chart = WeightChart(title=_("The weight of each comparison (bits for or against)"),
                        rows=[(row["comparison"], row["weight"]) for row in rows])
    return rows, chart


def runs() -> QuerySet:
    """Return the matcher's runs, newest first."""
    return MatchRun.objects.select_related("model", "started_by")


def current_model() -> tuple[MatchModel | None, WeightChart | None]:
    """Return the newest model and its match weight chart (one bar per comparison level)."""
    model = MatchModel.objects.order_by("-version").first()
    if model is None:
        return None, None
    rows = [(f"{COMPARISON_WORDS.get(bar['comparison'], bar['comparison'])}: "
             f"{level_words(bar['level'])}",
             bar["weight"]) for bar in model.chart if bar.get("weight") is not None]
    return model, WeightChart(title=_("Match weights of model version %(version)s")
                              % {"version": model.version}, rows=rows)
