"""Strict readers for settings that come from environment variables."""

import ipaddress
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the variable's value, or the default when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return a boolean variable; anything but true/false is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return an integer variable; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_probability(name: str, default: float) -> float:
    """Return a probability (a number from 0 to 1); anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ImproperlyConfigured(f"{name} must be a number from 0 to 1, not {raw!r}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Return one of the allowed values; anything else is a configuration error."""
    raw = os.environ.get(name, default).strip().lower() or default
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def env_secret(name: str) -> str:
    """Return a secret from NAME, or from the file that NAME_FILE points to."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {path}: {exc}") from None
    return os.environ.get(name, "")


def env_list(name: str, default: str = "") -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str) -> list[str]:
    """Return a comma-separated list of addresses or networks; anything else is an error."""
    entries = env_list(name)
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list addresses or networks, not {entry!r}") from None
    return entries


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


def env_rate(name: str, default: str) -> tuple[int, int]:
    """Return a rate such as "600/minute" as (requests, seconds); anything else is an error.

    The period is second, minute, hour or day.
    """
    raw = os.environ.get(name) or default
    count, _, period = raw.strip().partition("/")
    if not count.strip().isdigit() or int(count) < 1 or period.strip() not in _PERIODS:
        raise ImproperlyConfigured(
            f"{name} must be a number of requests per second, minute, hour or day, such as "
            f"600/minute, not {raw!r}")
    return int(count), _PERIODS[period.strip()]
