"""Days as the service counts them: UK days, whatever the server's clock zone."""

from datetime import date, datetime, time

from django.utils import timezone


def midnight(day: date) -> datetime:
    """Return the aware instant a UK day begins (TIME_ZONE is Europe/London)."""
    return timezone.make_aware(datetime.combine(day, time.min))
