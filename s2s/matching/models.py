"""The roll, the trained match model, the runs and the pairs they propose for review.

- `RollRecord`: one pupil seen on a school's roll, from one source (a CTF delivered to the
  school, a census file in an LA's 333PLAS mailbox, or an MIS roll feed). One table for all
  sources, so a run reads the roll in one query. The pupil's fields are plain columns like the
  Lost Pupil Database's and the feeds' pupils (the database's storage is encrypted at rest by
  the deployment; files are encrypted by `transfers/crypto.py`); like theirs, they are never
  logged and every view of them is audited by the page that shows them.
- `MatchModel`: one trained Fellegi-Sunter model (Splink settings with its m and u
  probabilities), versioned; the newest is the one a run uses; `chart` holds the match
  weights per comparison level for the administrator's chart.
- `MatchRun`: one run of the matcher (nightly incremental or full), with its figures and its
  progress (done of total) for the runs page's progress bar.
- `MatchPair`: one proposed pair, an LPD record and a roll record, with its probability, band,
  reason in words and the weight of each comparison. A person accepts or rejects it; the unique
  constraint on (LPD record, roll record) means a pair, once proposed, is never proposed again:
  a later run skips pairs that exist, so a rejected pair stays rejected.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from s2s.matching.words import reason_words


class RollSource(models.TextChoices):
    CTF_DELIVERED = "ctf_delivered", _("CTF delivered to the school")
    CENSUS = "census", _("School census")
    FEED = "feed", _("MIS roll feed")


class RollRecord(models.Model):
    """One pupil seen on one school's roll, from one source, at one time.

    A pupil seen again from the same source at the same school updates its row
    (`seen_at` moves on) rather than adding one: unique on (source, establishment, upn, dob,
    surname, forename).
    """

    source = models.CharField(_("source"), max_length=16, choices=RollSource.choices)
    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("school"),
    )
    # Where the record came from: the delivered transfer, the census transfer, or the feed.
    transfer = models.ForeignKey("transfers.Transfer", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    feed = models.ForeignKey("feeds.Feed", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+")
    seen_at = models.DateTimeField(_("seen"), default=timezone.now)

    upn = models.CharField(_("UPN"), max_length=13, blank=True)
    former_upn = models.CharField(_("former UPN"), max_length=13, blank=True)
    surname = models.CharField(_("surname"), max_length=100, blank=True)
    forename = models.CharField(_("forename"), max_length=100, blank=True)
    middle_names = models.CharField(_("middle names"), max_length=100, blank=True)
    preferred_surname = models.CharField(_("preferred surname"), max_length=100, blank=True)
    former_surname = models.CharField(_("former surname"), max_length=100, blank=True)
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("roll record")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "establishment", "upn", "dob", "surname", "forename"],
                name="roll_unique_pupil"),
        ]
        indexes = [
            models.Index(fields=["seen_at"], name="roll_seen_idx"),
            models.Index(fields=["upn"], name="roll_upn_idx"),
        ]

    def __str__(self):
        return f"roll record {self.pk} ({self.source}) at {self.establishment_id}"


class MatchModel(models.Model):
    """One trained model: Splink settings with their m and u probabilities, and its chart."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    # The Splink settings dictionary as trained (`Linker.misc.save_model_to_json`).
    parameters = models.JSONField(default=dict)
    # [{"comparison", "level", "weight", "m", "u"}, ...]: the match weight chart's bars.
    chart = models.JSONField(default=list)
    # What it was trained on: {"left": n, "right": n, "engine": "duckdb", ...}.
    trained_on = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("match model")
        ordering = ["-version"]

    def __str__(self):
        return f"match model v{self.version}"


class RunKind(models.TextChoices):
    NIGHTLY = "nightly", _("Nightly (new records only)")
    FULL = "full", _("Full")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class MatchRun(models.Model):
    """One run of the matcher, with its figures and its progress."""

    kind = models.CharField(_("kind"), max_length=8, choices=RunKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    model = models.ForeignKey(MatchModel, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Figures: records in on each side, pairs the blocking rules compared, pairs per band.
    lpd_records = models.PositiveIntegerField(default=0)
    roll_records = models.PositiveIntegerField(default=0)
    pairs_compared = models.BigIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    possibles = models.PositiveIntegerField(default=0)
    # Pairs found again that were already proposed (and so not proposed twice).
    already_proposed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # Progress for the runs page: `done` of `total` steps.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_step = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    # The newest record ids this run saw, so the next nightly run reads only what is newer.
    lpd_high_water = models.BigIntegerField(default=0)
    roll_high_water = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("match run")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.kind} match run {self.pk}"


class Band(models.TextChoices):
    MATCH = "match", _("Match")
    POSSIBLE = "possible", _("Possible match")


class PairStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class MatchPair(models.Model):
    """One pair a run proposed: an LPD record and a roll record, scored and explained."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="pairs")
    lost_pupil = models.ForeignKey("lostpupils.LostPupilRecord", on_delete=models.CASCADE,
                                   related_name="match_pairs")
    roll_record = models.ForeignKey(RollRecord, on_delete=models.CASCADE,
                                    related_name="match_pairs")
    probability = models.FloatField(_("probability"))
    match_weight = models.FloatField(default=0)
    band = models.CharField(_("band"), max_length=8, choices=Band.choices)
    reason = models.TextField(_("reason"), blank=True)
    # {"comparison name": {"level": "...", "weight": 3.2}, ...}
    weights = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=10, choices=PairStatus.choices,
                              default=PairStatus.PROPOSED)
    proposed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match pair")
        ordering = ["-probability", "id"]
        constraints = [
            # Proposed once: a rejected pair is never proposed again.
            models.UniqueConstraint(fields=["lost_pupil", "roll_record"],
                                    name="matchpair_unique_pair"),
        ]
        indexes = [
            models.Index(fields=["status", "band", "-probability"], name="matchpair_review"),
        ]

    def __str__(self):
        return f"pair {self.lost_pupil_id}-{self.roll_record_id} ({self.band})"

    @property
    def reason_worded(self) -> str:
        """Return the pair's reason in the reader's language (stored in English)."""
        return reason_words(self.reason)
