"""`s2s send_emails`: send the outbox's due emails now (what the minutely sweep does)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.core.outbox import send_next_email


class Command(LanguageCommand):
    help = gettext_lazy(
        "Send the queued emails that are due (new ones, and retries whose wait is over). "
        "Safe to run at any time, beside the worker: each email is claimed by one sender only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, metavar="N",
                            help=gettext_lazy("send at most N emails this run"))

    def handle(self, *args, limit: int | None = None, **options):
        count = 0
        while (limit is None or count < limit) and send_next_email():
            count += 1
        self.stdout.write(_("Sent or tried %(count)d email(s).") % {"count": count})
