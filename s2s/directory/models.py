"""Local authorities, establishments and agencies: who can send and receive files."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

three_digits = RegexValidator(r"^\d{3}$", _("An LA number is 3 digits, for example 681."))
four_digits = RegexValidator(r"^\d{4}$", _("A school number is 4 digits, for example 2345."))


class Nation(models.TextChoices):
    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")


class LocalAuthority(models.Model):
    number = models.CharField(_("LA number"), max_length=3, unique=True, validators=[three_digits])
    name = models.CharField(_("name"), max_length=200)
    nation = models.CharField(_("nation"), max_length=10, choices=Nation.choices)
    email = models.EmailField(_("contact email"), blank=True)
    receive_ctf_copies = models.BooleanField(
        _("receive copies of CTFs sent to and from our schools"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")

    def __str__(self):
        return f"{self.number} {self.name}"


class EstablishmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OPEN_PROPOSED_TO_CLOSE = "proposed_to_close", _("Open, but proposed to close")
    PROPOSED_TO_OPEN = "proposed_to_open", _("Proposed to open")
    CLOSED = "closed", _("Closed")


class Establishment(models.Model):
    """A school or other establishment, known by its 7-digit number (LA + school number)."""

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="establishments",
        verbose_name=_("local authority"),
    )
    number = models.CharField(_("school number"), max_length=4, validators=[four_digits])
    # The 7-digit establishment number, kept as a column so lookups by it are one index probe.
    code = models.CharField(_("establishment number"), max_length=7, unique=True, editable=False)
    urn = models.CharField(_("URN"), max_length=10, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=120, blank=True)
    phase = models.CharField(_("phase"), max_length=80, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    # Operation Encompass notifications (issue 16) are told here rather than to every school
    # user, when it is set.
    safeguarding_email = models.EmailField(_("designated safeguarding lead's email"),
                                           blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EstablishmentStatus.choices,
        default=EstablishmentStatus.OPEN,
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    active = models.BooleanField(_("active on the hub"), default=True)
    successor = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="predecessors",
        verbose_name=_("successor"),
        help_text=_(
            "The establishment that took over this one's pupils (academy conversion, merger)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["la", "number"], name="establishment_unique_in_la"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.code = f"{self.la.number}{self.number}"
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != EstablishmentStatus.CLOSED

    def successor_chain(self, limit: int = 20) -> list["Establishment"]:
        """Return the successors in order (this one's, then that one's...), stopping at a loop."""
        chain, seen, current = [], {self.pk}, self.successor
        while current is not None and current.pk not in seen and len(chain) < limit:
            chain.append(current)
            seen.add(current.pk)
            current = current.successor
        return chain

    def current_successor(self) -> "Establishment | None":
        """Return the last school in the chain of successors: where this one's pupils are now."""
        chain = self.successor_chain()
        return chain[-1] if chain else None


class AgencyKind(models.TextChoices):
    HEALTH = "health", _("Health")
    DENTAL = "dental", _("Dental health")
    POLICE = "police", _("Police")
    SOCIAL_SERVICES = "social_services", _("Social services")
    CONNEXIONS = "connexions", _("Connexions / careers")
    ASSESSMENT = "assessment", _("Assessment body")
    SOFTWARE = "software", _("Software supplier")
    OTHER = "other", _("Other")


class Agency(models.Model):
    """An outside body that exchanges files with an LA under a local agreement (seed 000, 14-17).

    Its reference is prefixed with the LA number that registered it, e.g. 838HLTH.
    """

    la = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="agencies",
        verbose_name=_("registering local authority"),
    )
    reference = models.CharField(
        _("reference"), max_length=12, unique=True,
        validators=[RegexValidator(r"^\d{3}[A-Z0-9]{4}$",
                                   _("An agency reference is the LA number and 4 letters or "
                                     "digits, for example 838HLTH."))],
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    email = models.EmailField(_("contact email"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        verbose_name_plural = _("agencies")

    def __str__(self):
        return f"{self.reference} {self.name}"
