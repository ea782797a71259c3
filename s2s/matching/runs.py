"""A matcher run: open LPD records against the roll, outside any transaction, in batches.

1. The roll is refreshed (`roll.roll_refresh`), then the LPD's open records and the roll are
   read in one snapshot (REPEATABLE READ on PostgreSQL; one read transaction on SQLite) and
   the transaction ends: the matching itself holds no database connection's transaction.
2. A nightly run links the new LPD records (newer than the last finished run's high-water
   mark) against the whole roll, and every open record against the new roll records; a full
   run links every open record against the whole roll.
3. Pairs are kept only where the roll saw the pupil after the LPD record was made, and only
   pairs never proposed before (the pair is unique: a rejected pair is never proposed again);
   they are written in batches of `BATCH`, each its own short transaction.
4. The run's figures and progress are updated as it goes, for the runs page.
5. The run is written to the audit trail when it ends, finished (its figures) or failed (the
   error's type only: a message may quote pupil data): by whoever started it, or "system" for
   the nightly task and `s2s match run`. Training a new model version is audited too.

The model is the newest `MatchModel`; with none, one is trained on this run's records first
and saved as version 1 (`s2s match train` trains a new version on demand).
"""

import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from s2s.audit.services import audit_record, english_words
from s2s.ctf.words import Text
from s2s.lostpupils.models import LostPupilRecord, RecordStatus
from s2s.matching import engine
from s2s.matching.models import (
    MatchModel,
    MatchPair,
    MatchRun,
    RollRecord,
    RunKind,
    RunStatus,
)
from s2s.matching.roll import roll_refresh

logger = logging.getLogger(__name__)

BATCH = 1000
SYSTEM = "system"
STEPS = ("refreshing the roll", "reading the records", "preparing records",
         "training the model", "comparing pairs", "writing the pairs")
FIELDS = ("upn", "former_upn", "forename", "middle_names", "surname", "preferred_surname",
          "former_surname", "dob", "sex", "postcode", "town")


def _progress(run: MatchRun, step: str) -> None:
    step = str(step)  # the engine's steps are words to translate (ctf.words.Text): stored plain
    done = STEPS.index(step) if step in STEPS else run.progress_done
    run.progress_done, run.progress_step = done, step
    MatchRun.objects.filter(pk=run.pk).update(progress_done=done, progress_step=step)


def _rows(queryset, extra: str) -> list[dict]:
    rows = []
    for values in queryset.values("id", extra, *FIELDS).iterator(chunk_size=5000):
        values["id"] = str(values["id"])
        rows.append(values)
    return rows


def _snapshot(lpd_since: int, roll_since: int) -> tuple[list[dict], list[dict], int, int]:
    """Read the open LPD records and the roll as one snapshot, then let the transaction go."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        lost = _rows(LostPupilRecord.objects.filter(status=RecordStatus.OPEN), "uploaded_at")
        roll = _rows(RollRecord.objects.all(), "seen_at")
    lpd_top = max((int(r["id"]) for r in lost), default=lpd_since)
    roll_top = max((int(r["id"]) for r in roll), default=roll_since)
    return lost, roll, max(lpd_top, lpd_since), max(roll_top, roll_since)


def spark_for_settings():
    """Return a Spark session on S2S_SPARK_MASTER when the engine is Spark, else None."""
    if settings.S2S_MATCHING_ENGINE != "spark":
        return None
    return engine.spark_session(settings.S2S_SPARK_MASTER)


def _model(lost: list[dict], roll: list[dict], run: MatchRun) -> MatchModel:
    model = MatchModel.objects.order_by("-version").first()
    if model is not None:
        return model
    _progress(run, "training the model")
    return match_model_train(lost=lost, roll=roll)


def match_model_train(*, lost: list[dict] | None = None, roll: list[dict] | None = None
                      ) -> MatchModel:
    """Train a new version of the model on the open LPD records and the roll, and save it."""
    if lost is None or roll is None:
        lost, roll, _, _ = _snapshot(0, 0)
    con = engine.duckdb_connection(memory_limit=settings.S2S_MATCH_MEMORY)
    con.register("raw_left_arrow", engine.raw_table(lost))
    con.register("raw_right_arrow", engine.raw_table(roll))
    engine.prepare(con, {"records_left": "raw_left_arrow", "records_right": "raw_right_arrow"})
    session = engine.Session(con, engine=settings.S2S_MATCHING_ENGINE,
                             spark=spark_for_settings())
    try:
        parameters = session.train()
    finally:
        session.close()
    version = (MatchModel.objects.order_by("-version").values_list("version", flat=True)
               .first() or 0) + 1
    trained_on = {"lpd_records": len(lost), "roll_records": len(roll),
                  "engine": settings.S2S_MATCHING_ENGINE}
    with transaction.atomic():
        model = MatchModel.objects.create(version=version, parameters=parameters,
                                          chart=engine.chart(parameters), trained_on=trained_on)
        audit_record(action="match_model_train", actor_username=SYSTEM, obj=model,
                     summary=Text(gettext_noop("match model version %(version)s trained on "
                                               "%(lost)s LPD records and %(roll)s roll "
                                               "records"),
                                  version=version, lost=len(lost), roll=len(roll)),
                     detail={"version": version} | trained_on)
    return model


def _link(lost: list[dict], roll: list[dict], model: MatchModel, run: MatchRun
          ) -> engine.Linked | None:
    if not lost or not roll:
        return None
    return engine.link(
        lost, roll, match=settings.S2S_MATCH_THRESHOLD,
        possible=settings.S2S_MATCH_POSSIBLE_THRESHOLD, model=model.parameters,
        engine=settings.S2S_MATCHING_ENGINE, progress=lambda step: _progress(run, step),
        con=engine.duckdb_connection(memory_limit=settings.S2S_MATCH_MEMORY),
        spark=spark_for_settings())


def _pairs(linked: Iterable[engine.Linked], lost: list[dict], roll: list[dict]
           ) -> dict[tuple[int, int], dict]:
    """Return the pairs whose roll record was seen after the LPD record was made, once each."""
    made = {r["id"]: r["uploaded_at"] for r in lost}
    seen = {r["id"]: r["seen_at"] for r in roll}
    pairs = {}
    for result in linked:
        for pair in result.pairs:
            if seen[pair["right_id"]] >= made[pair["left_id"]]:
                pairs[(int(pair["left_id"]), int(pair["right_id"]))] = pair
    return pairs


def _write(run: MatchRun, pairs: dict[tuple[int, int], dict]) -> tuple[int, int, int]:
    """Write the pairs never proposed before, in batches; return (match, possible, skipped)."""
    written = {"match": 0, "possible": 0}
    skipped = 0
    keys = list(pairs)
    for start in range(0, len(keys), BATCH):
        batch = keys[start:start + BATCH]
        known = set(MatchPair.objects.filter(
            lost_pupil_id__in={k[0] for k in batch}, roll_record_id__in={k[1] for k in batch}
        ).values_list("lost_pupil_id", "roll_record_id"))
        new = [MatchPair(run=run, lost_pupil_id=k[0], roll_record_id=k[1],
                         probability=pairs[k]["probability"],
                         match_weight=pairs[k]["match_weight"], band=pairs[k]["band"],
                         reason=pairs[k]["reason"], weights=pairs[k]["weights"])
               for k in batch if k not in known]
        skipped += len(batch) - len(new)
        with transaction.atomic():
            MatchPair.objects.bulk_create(new, ignore_conflicts=True)
        for pair in new:
            written[pair.band] += 1
        MatchRun.objects.filter(pk=run.pk).update(
            matches=written["match"], possibles=written["possible"], already_proposed=skipped)
    return written["match"], written["possible"], skipped


def match_run(*, kind: str = RunKind.NIGHTLY, user=None) -> MatchRun:
    """Run the matcher (nightly: the new records only; full: everything) and return the run."""
    started = time.monotonic()
    last = (MatchRun.objects.filter(status=RunStatus.FINISHED).order_by("-id").first()
            if kind == RunKind.NIGHTLY else None)
    run = MatchRun.objects.create(kind=kind, started_by=user, progress_total=len(STEPS))
    try:
        _progress(run, "refreshing the roll")
        roll_refresh()
        _progress(run, "reading the records")
        lpd_since = last.lpd_high_water if last else 0
        roll_since = last.roll_high_water if last else 0
        lost, roll, lpd_top, roll_top = _snapshot(lpd_since, roll_since)
        model = _model(lost, roll, run)
        if last is None:
            jobs = [(lost, roll)]
        else:
            jobs = [([r for r in lost if int(r["id"]) > lpd_since], roll),
                    (lost, [r for r in roll if int(r["id"]) > roll_since])]
        results = [result for job in jobs if (result := _link(*job, model, run))]
        _progress(run, "writing the pairs")
        matches, possibles, skipped = _write(run, _pairs(results, lost, roll))
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FINISHED, finished_at=timezone.now(), model=model,
            lpd_records=len({r["id"] for job in jobs for r in job[0]}),
            roll_records=len({r["id"] for job in jobs for r in job[1]}),
            pairs_compared=sum(r.pairs_compared for r in results), matches=matches,
            possibles=possibles, already_proposed=skipped,
            seconds=time.monotonic() - started, progress_done=len(STEPS), progress_step="",
            lpd_high_water=lpd_top, roll_high_water=roll_top)
    except Exception as exc:
        logger.exception("Match run %s failed", run.pk)
        MatchRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=type(exc).__name__,
            seconds=time.monotonic() - started)
        run.refresh_from_db()
        _audit(run, user, "match_run_failed",
               Text(gettext_noop("Match run %(number)s, %(kind)s, failed: %(error)s"),
                    kind=english_words(RunKind(run.kind).label), number=run.pk, error=run.error))
        raise
    run.refresh_from_db()
    _audit(run, user, "match_run_finished",
           Text(gettext_noop("Match run %(number)s, %(kind)s: %(lpd)s LPD records, %(roll)s "
                             "roll records, %(pairs)s pairs compared, %(matches)s match, "
                             "%(possibles)s possible, %(seconds)s s"),
                kind=english_words(RunKind(run.kind).label), number=run.pk, lpd=run.lpd_records,
                roll=run.roll_records,
                pairs=run.pairs_compared, matches=run.matches, possibles=run.possibles,
                seconds=f"{run.seconds:.0f}"))
    return run


def _audit(run: MatchRun, user, action: str, summary: str) -> None:
    """Write a run's end to the audit trail, with its figures (no pupil data)."""
    audit_record(action=action, actor=user, actor_username="" if user else SYSTEM, obj=run,
                 summary=summary, detail={
                     "kind": run.kind, "lpd_records": run.lpd_records,
                     "roll_records": run.roll_records, "pairs_compared": run.pairs_compared,
                     "match": run.matches, "possible": run.possibles,
                     "already_proposed": run.already_proposed,
                     "seconds": round(run.seconds or 0, 1), "error": run.error,
                     "model_version": run.model.version if run.model_id else None})
