"""Issue 20's settings: HTTPS in production, the shared cache, the trusted proxies.

Settings are imported in a fresh interpreter (the environment is read once, at import); the
production ones are asked through Django's test client, as the proxy would pass requests on.
"""

import json
import os
import subprocess
import sys

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
plain = client.get("/account/sign-in", HTTP_HOST="s2s.example")
secure = client.get("/account/sign-in", HTTP_HOST="s2s.example", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.headers.get("Location")],
    "secure": [secure.status_code, secure.headers.get("Strict-Transport-Security"),
               secure.headers.get("Content-Security-Policy")],
    "framing": [secure.headers.get("X-Frame-Options"), secure.headers.get("Referrer-Policy")],
}))
"""


def _ask_production(tmp_path) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    env = {**clean, "DJANGO_SETTINGS_MODULE": "s2s.settings", "S2S_MODE": "production",
           "S2S_SECRET_KEY": "a-long-production-secret", "S2S_ALLOWED_HOSTS": "s2s.example",
           "S2S_ENCRYPTION_KEY": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
           "S2S_DATA_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https_and_sends_hsts_for_subdomains(tmp_path):
    answers = _ask_production(tmp_path)
    assert answers["plain"] == [301, "https://s2s.example/account/sign-in"]
    status, hsts, csp = answers["secure"]
    assert status == 200
    assert hsts == "max-age=31536000; includeSubDomains"
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert answers["framing"] == ["DENY", "same-origin"]


def _settings(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("S2S_", "DATABASE_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import json, s2s.settings as s; "
         "print(json.dumps([s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], "
         "s.S2S_TRUSTED_PROXIES, s.S2S_API_RATE]))"],
        env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_the_shared_cache_is_the_database_unless_s2s_cache_url_names_redis():
    local = json.loads(_settings().stdout)
    assert local[:2] == ["s2s.core.cache.DatabaseCache", "s2s_cache"]
    assert local[3] == [600, 60]
    redis = json.loads(_settings(S2S_CACHE_URL="redis://cache.example:6379/2").stdout)
    assert redis[:2] == ["s2s.core.cache.RedisCache",
                         "redis://cache.example:6379/2"]


def test_trusted_proxies_must_be_addresses_or_networks():
    assert json.loads(_settings(S2S_TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7").stdout)[2] == [
        "10.0.0.0/8", "192.0.2.7"]
    refused = _settings(S2S_TRUSTED_PROXIES="proxy.example")
    assert "S2S_TRUSTED_PROXIES must list addresses or networks" in refused.stderr


def test_a_bad_api_rate_stops_the_service_starting():
    assert "S2S_API_RATE must be" in _settings(S2S_API_RATE="lots").stderr
