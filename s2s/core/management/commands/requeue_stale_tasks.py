"""`s2s requeue_stale_tasks`: tasks whose worker died mid-task are queued again."""

from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand, worded
from s2s.core.stale_tasks import STALE_AFTER, stale_tasks_requeue


class Command(LanguageCommand):
    help = worded(gettext_lazy(
        "Queue again the tasks a worker claimed and never finished (it was killed), once they "
        "have been running for more than %(minutes)s minutes."
    ), minutes=int(STALE_AFTER.total_seconds() // 60))

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help=gettext_lazy("list what would be queued again, change nothing"))
        parser.add_argument("--older-than", type=int, default=None, metavar="MINUTES",
                            help=gettext_lazy("running for longer than this counts as stale"))

    def handle(self, *, dry_run: bool, older_than: int | None, **options):
        age = STALE_AFTER if older_than is None else timedelta(minutes=older_than)
        tasks = stale_tasks_requeue(older_than=age, dry_run=dry_run)
        line = (_("would queue again %(id)s %(task)s (started %(started)s)") if dry_run
                else _("queued again %(id)s %(task)s (started %(started)s)"))
        for task in tasks:
            self.stdout.write(line % {"id": task.pk, "task": task.task_path,
                                      "started": task.started_at})
        done = (_("%(count)d stale task(s) would queue again.") if dry_run
                else _("%(count)d stale task(s) queued again."))
        self.stdout.write(done % {"count": len(tasks)})
