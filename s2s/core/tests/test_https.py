"""Issue 20: in production plain HTTP is redirected to HTTPS, and HSTS covers subdomains.

The production settings are imported in a fresh interpreter (S2S_MODE is read once, at
import) and asked through Django's test client, as the proxy would pass requests on.
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
