"""`s2s task_worker`: run queued tasks as they arrive, from the queue S2S_TASKS_BACKEND names.

`database`: django-tasks-db's `db_worker`, polling the task table. `redis`: RQ's worker
(django-rq's `rqworker`) on the one queue, with the job class that runs django-tasks' tasks,
each task in a child process of its own. Run as many as you like, on any host: each task is
taken by one worker (a row claimed in the database, or a job popped from Redis).
"""

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from s2s.core.commands import LanguageCommand
from s2s.core.taskqueue import JOB_CLASS, QUEUE, uses_redis


class Command(LanguageCommand):
    help = ("Run queued tasks as they arrive, from the database or Redis as S2S_TASKS_BACKEND "
            "says. Any number may run.")

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true",
                            help="run the tasks queued now, then exit")

    def handle(self, *args, burst: bool = False, **options):
        from django.conf import settings

        verbosity = options.get("verbosity", 1)
        if uses_redis():
            call_command("rqworker", QUEUE, job_class=JOB_CLASS, burst=burst,
                         with_scheduler=True, verbosity=verbosity)
        elif settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
            call_command("db_worker", batch=burst, verbosity=verbosity)
        else:
            raise CommandError(_("S2S_TASKS_BACKEND=immediate runs each task at once: there "
                                 "is no queue for a worker"))
