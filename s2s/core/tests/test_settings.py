"""Settings come from the environment: strict readers, EMAIL_URL, and production's refusals."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from s2s.core.emailurl import email_settings
from s2s.core.envvars import env_bool, env_int


def _import_settings(**env):
    """Import the settings in a fresh interpreter with this environment; return the result."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import s2s.settings as s; print(s.EMAIL_BACKEND, s.DEBUG)"],
        env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )


def test_production_refuses_to_start_without_its_keys():
    result = _import_settings(S2S_MODE="production")
    assert result.returncode != 0
    assert ("Production mode needs these settings, which are not set: S2S_SECRET_KEY, "
            "S2S_ALLOWED_HOSTS, S2S_ENCRYPTION_KEY") in result.stderr


def test_production_starts_with_its_keys_and_reads_a_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("a-long-production-secret\n")
    result = _import_settings(
        S2S_MODE="production", S2S_SECRET_KEY_FILE=str(secret), S2S_ALLOWED_HOSTS="s2s.example",
        S2S_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        EMAIL_URL="smtp://mail.example:2525",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "False"]


def test_production_refuses_debug():
    result = _import_settings(
        S2S_MODE="production", S2S_SECRET_KEY="k", S2S_ALLOWED_HOSTS="s2s.example",
        S2S_ENCRYPTION_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", S2S_DEBUG="true",
    )
    assert "S2S_DEBUG must be false in production mode" in result.stderr


def test_an_unknown_mode_is_refused():
    assert "S2S_MODE must be local or production" in _import_settings(S2S_MODE="prod").stderr


def test_a_boolean_must_say_true_or_false(monkeypatch):
    monkeypatch.setenv("S2S_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="S2S_FLAG must be true or false"):
        env_bool("S2S_FLAG")
    monkeypatch.setenv("S2S_FLAG", "Yes")
    assert env_bool("S2S_FLAG") is True


def test_a_number_must_be_whole(monkeypatch):
    monkeypatch.setenv("S2S_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="S2S_N must be a whole number"):
        env_int("S2S_N", 5)


def test_email_url_gives_the_smtp_settings():
    assert email_settings("submission://ops%40la.example:p%2Fw@mail.example") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example", "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "ops@la.example", "EMAIL_HOST_PASSWORD": "p/w",
        "EMAIL_USE_SSL": False, "EMAIL_USE_TLS": True,
    }
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must start with smtp://"):
        email_settings("http://mail.example")
