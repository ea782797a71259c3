"""The matcher's tasks. Tasks take ids, never objects (they are stored as JSON)."""

from django.contrib.auth import get_user_model
from django_tasks import task

from s2s.matching.runs import match_run


@task()
def run_full_match(user_id: int | None = None) -> int:
    """Run the matcher over every open LPD record and the whole roll; return the run's id."""
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return match_run(kind="full", user=user).pk
