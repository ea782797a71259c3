"""`s2s match link|run|train|roll`: the matcher from the command line (issue 15)."""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from s2s.matching.linkcsv import link_files, summary
from s2s.matching.models import MatchModel, RunKind
from s2s.matching.roll import roll_refresh
from s2s.matching.runs import match_model_train, match_run, spark_for_settings


class Command(BaseCommand):
    help = (
        "Match pupil lists: `link LEFT.csv RIGHT.csv --out PAIRS.csv` for any two lists; "
        "`run [--full]` the LPD against the roll (nightly: new records only); `train` a new "
        "model version; `roll` refresh the roll from delivered CTFs, census returns and feeds."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        link = sub.add_parser("link", help="match two CSV pupil lists")
        link.add_argument("left", type=Path)
        link.add_argument("right", type=Path)
        link.add_argument("--out", type=Path, required=True, help="the pairs, as CSV")
        link.add_argument("--model", type=Path,
                          help="a trained model as JSON (default: the newest saved one, or "
                               "one trained on these lists)")
        run = sub.add_parser("run", help="match the LPD's open records against the roll")
        run.add_argument("--full", action="store_true",
                         help="every open record against the whole roll")
        sub.add_parser("train", help="train and save a new model version")
        sub.add_parser("roll", help="refresh the roll")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _progress(self, line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def _link(self, *, left, right, out, model=None, **options):
        for path in (left, right):
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
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
        self.stdout.write(
            f"match run {run.pk} ({run.kind}): {run.lpd_records} LPD records and "
            f"{run.roll_records} roll records in, {run.pairs_compared} pairs compared, "
            f"{run.matches} match, {run.possibles} possible, {run.already_proposed} already "
            f"proposed, {run.seconds:.1f} seconds")

    def _train(self, **options):
        model = match_model_train()
        self.stdout.write(f"match model version {model.version} trained on "
                          f"{model.trained_on['lpd_records']} LPD records and "
                          f"{model.trained_on['roll_records']} roll records")

    def _roll(self, **options):
        counts = roll_refresh()
        self.stdout.write(", ".join(f"{count} from {source}" for source, count in counts.items()))
