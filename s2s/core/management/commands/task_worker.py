"""`s2s task_worker`: run queued tasks as they arrive, from the queue S2S_TASKS_BACKEND names.

`database`: django-tasks-db's `db_worker`, polling the task table. `redis`: RQ's worker
(django-rq's `rqworker`) on the one queue, with the job class that runs django-tasks' tasks.
Run as many as you like, on any host: each task is taken by one worker (a row claimed in the
database, or a job popped from Redis).

On Redis the worker runs each task in the worker's own process (`taskqueue.Worker`, RQ's
SimpleWorker), not in a child forked for the task as RQ's default worker does. Why: with the
fork and the new database connection each child opened, a task cost 55-65 ms of CPU, and the
queue grew all through issue 18's soak; without them 22-26 ms (deploy/README.md, "Tasks made
cheap"). The worker closes stale database connections before and after each task, as Django
does around a request, and keeps the good one. A task that raises is recorded as failed and
retried without ending the worker; a worker killed mid-task leaves its job to be found
abandoned (its timeout and a minute later) by another worker's maintenance and run again.
"""

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from s2s.core.commands import LanguageCommand
from s2s.core.taskqueue import JOB_CLASS, QUEUE, WORKER_CLASS, uses_redis


class Command(LanguageCommand):
    help = gettext_lazy("Run queued tasks as they arrive, from the database or Redis as "
                        "S2S_TASKS_BACKEND says. Any number may run.")

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true",
                            help=gettext_lazy("run the tasks queued now, then exit"))

    def handle(self, *args, burst: bool = False, **options):
        from django.conf import settings

        verbosity = options.get("verbosity", 1)
        if uses_redis():
            call_command("rqworker", QUEUE, job_class=JOB_CLASS, worker_class=WORKER_CLASS,
                         burst=burst,
                         with_scheduler=True, verbosity=verbosity)
        elif settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
            call_command("db_worker", batch=burst, verbosity=verbosity)
        else:
            raise CommandError(_("S2S_TASKS_BACKEND=immediate runs each task at once: there "
                                 "is no queue for a worker"))
