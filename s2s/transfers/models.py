"""The encrypted store's record of each stored object: where it is and how to open it."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StoredFile(models.Model):
    """One encrypted object in the transfers storage; the content lives only there.

    The path is random (it carries no name, pupil data or date); the data key is kept only
    wrapped by the master key `key_id`. Size and SHA-256 are of the plaintext, so a download
    can be checked against what was uploaded.
    """

    path = models.CharField(max_length=200, unique=True)
    wrapped_key = models.BinaryField(max_length=64)
    key_id = models.CharField(max_length=16, db_index=True)
    nonce_prefix = models.BinaryField(max_length=16)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stored file")

    def __str__(self):
        return f"stored file {self.pk} ({self.size} bytes)"
