"""Plumbing shared by every app: errors, base templates, navigation."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _create_cache_table(sender, using, **kwargs) -> None:
    """Create the database cache's table after migrating, if the cache is the database."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "s2s.core"
    label = "core"

    def ready(self) -> None:
        # The shared cache (sign-in counters, API rate limits) is a table unless
        # S2S_CACHE_URL names Redis: `migrate` makes it, so no deployment step is forgotten.
        post_migrate.connect(_create_cache_table, sender=self,
                             dispatch_uid="s2s.core.create_cache_table")
        from django.core.signals import request_finished
        from django_tasks.signals import task_finished

        from s2s.core.logs import request_id_clear
        from s2s.core.metrics import count_task_finished

        request_finished.connect(request_id_clear, dispatch_uid="s2s.core.request_id_clear")
        # Failed tasks are counted in the process that ran them (the worker, or the request
        # with the immediate backend).
        task_finished.connect(count_task_finished, dispatch_uid="s2s.core.count_task_failures")
