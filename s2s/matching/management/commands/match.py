"""`s2s match link|run|train|roll`: the matcher from the command line (issue 15)."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.matching.linkcsv import link_files, summary
from s2s.matching.models import MatchModel, RunKind
from s2s.matching.roll import roll_refresh
from s2s.matching.runs import match_model_train, match_run, spark_for_settings


class Command(LanguageCommand):
    help = gettext_lazy(
        "Match pupil lists: `link LEFT.csv RIGHT.csv --out PAIRS.csv` for any two lists; "
        "`run [--full]` the LPD against the roll (nightly: new records only); `train` a new "
        "model version; `roll` refresh the roll from delivered CTFs, census returns and feeds."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser("link", help=gettext_lazy("match two CSV pupil lists"))
        link.add_argument("left", type=Path)
        link.add_argument("right", type=Path)
        link.add_argument("--out", type=Path, required=True, help=gettext_lazy("the pairs, as CSV"))
        link.add_argument("--model", type=Path,
                          help=gettext_lazy("a trained model as JSON (default: the newest saved "
                                            "one, or one trained on these lists)"))
        run = sub.add_parser("run",
                             help=gettext_lazy("match the LPD's open records against the roll"))
        run.add_argument("--full", action="store_true",
                         help=gettext_lazy("every open record against the whole roll"))
        sub.add_parser("train", help=gettext_lazy("train and save a new model version"))
        sub.add_parser("roll", help=gettext_lazy("refresh the roll"))

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _progress(self, line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def _link(self, *, left, right, out, model=None, **options):
        for path in (left, right):
            if not path.is_file():
                raise CommandError(_("%(file)s: no such file") % {"file": path})
        parameters = None
        if model is not None:
            parameters = json.loads(model.read_text(encoding="utf-8"))
        else:
            saved = MatchModel.objects.order_by("-version").first()
            parameters = saved.parameters if saved else None
        try:
            linked = link_files(left, right, out, match=settings.S2S_MATCH_THRESHOLD,
                                possible=settings.S2S_MATCH_POSSIBLE_THRESHOLD,
                                model=parameters, engine_name=settings.S2S_MATCHING_ENGINE,
                                spark=spark_for_settings(), progress=self._progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self._progress(summary(linked))

    def _run(self, *, full=False, **options):
        run = match_run(kind=RunKind.FULL if full else RunKind.NIGHTLY)
        self.stdout.write(_(
            "match run %(id)s (%(kind)s): %(lpd)d LPD records and %(roll)d roll records in, "
            "%(pairs)d pairs compared, %(match)d match, %(possible)d possible, %(already)d "
            "already proposed, %(seconds)s seconds") % {
            "id": run.pk, "kind": run.kind, "lpd": run.lpd_records, "roll": run.roll_records,
            "pairs": run.pairs_compared, "match": run.matches, "possible": run.possibles,
            "already": run.already_proposed, "seconds": f"{run.seconds:.1f}"})

    def _train(self, **options):
        model = match_model_train()
        self.stdout.write(_("match model version %(version)s trained on %(lpd)d LPD records "
                            "and %(roll)d roll records") % {
            "version": model.version, "lpd": model.trained_on["lpd_records"],
            "roll": model.trained_on["roll_records"]})

    def _roll(self, **options):
        counts = roll_refresh()
        self.stdout.write(", ".join(_("%(count)d from %(source)s") % {"count": count,
                                                                      "source": source}
                                    for source, count in counts.items()))
