"""Counts of uploads and first downloads on closed UK days, for the national reports.

`rollup.py` keeps them, so a report need not read a million transfers; it adds the days
since (today) live.

Only facts that never change once a day is over are counted: when, what type, from and to
which LA, how many pupils, and when a file was first downloaded. A file's state (awaiting,
collected, rejected, deleted) changes, so it is always counted from the transfers.
"""

from django.db import models


class Rollup(models.Model):
    """How far the counts go: every UK day up to and including `through` is in them."""

    name = models.CharField(max_length=32, primary_key=True)
    through = models.DateField(null=True)
    refreshed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.name} through {self.through}"


class HourCount(models.Model):
    """Files uploaded in one UK hour of one UK day, of one type, from a school or a mailbox."""

    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    file_type = models.CharField(max_length=8)
    from_school = models.BooleanField()
    files = models.PositiveIntegerField()
    pupils = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "hour", "file_type", "from_school"], name="hourcount_key"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.hour:02d}:00 {self.file_type}: {self.files}"


class LAMonthCount(models.Model):
    """Files an LA sent (its schools and mailboxes) or received, of one type, in a UK month.

    `month` is the month's first day; the newest month holds only the days up to `through`.
    """

    month = models.DateField()
    la = models.ForeignKey("directory.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    sent = models.BooleanField()  # True: sent by the LA; False: received by it
    file_type = models.CharField(max_length=8)
    files = models.PositiveIntegerField()
    pupils = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "la", "sent", "file_type"], name="lamonthcount_key"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} LA {self.la_id} {self.file_type}: {self.files}"


class DownloadCount(models.Model):
    """Files uploaded on one UK day first downloaded in one UK hour, up to the end of `through`.

    A file uploaded on a counted day may be first downloaded later: the refresh counts its
    upload day again then, and the reports add the first downloads since `through` live.
    """

    uploaded_on = models.DateField()
    hour = models.PositiveSmallIntegerField()
    files = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["uploaded_on", "hour"], name="downloadcount_key")
        ]

    def __str__(self):
        return f"{self.uploaded_on} at {self.hour:02d}:00: {self.files}"
