"""`manage.py check --deploy` is clean with production settings (T16), and the HTTPS
settings can be changed for a TLS-terminating proxy without editing code."""

from __future__ import annotations

import json
import secrets

from tests.conftest import run_manage

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'proxy': s.SECURE_PROXY_SSL_HEADER, "
    "'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "'preload': s.SECURE_HSTS_PRELOAD, 'silenced': s.SILENCED_SYSTEM_CHECKS}))"
)


def production(tmp_path, **env) -> dict:
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "rehab.example.org",
        "REHAB_VAR_DIR": str(tmp_path),
        **env,
    }


def settings_under(**env) -> dict:
    result = run_manage("shell", "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_t16_deploy_check_has_no_issues_with_production_settings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_https_defaults_outside_debug_and_their_switches(tmp_path):
    default = settings_under(**production(tmp_path))
    assert default["redirect"] is True
    assert (default["hsts"], default["subdomains"], default["preload"]) == (31536000, True, True)
    assert default["proxy"] is None

    proxied = settings_under(
        **production(
            tmp_path,
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto=https",
            DJANGO_HSTS_SECONDS="600",
            DJANGO_HSTS_PRELOAD="0",
        )
    )
    assert proxied["redirect"] is False
    assert proxied["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (proxied["hsts"], proxied["preload"]) == (600, False)
    # The proxy redirects to HTTPS itself: the check's reminder about it is silenced.
    assert "security.W008" in proxied["silenced"]


def test_a_malformed_proxy_header_names_the_variable(tmp_path):
    result = run_manage(
        "check", **production(tmp_path, DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    )

    assert result.returncode == 1
    assert "DJANGO_SECURE_PROXY_SSL_HEADER" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_keeps_plain_http_for_make_run(tmp_path):
    debug = settings_under(DJANGO_DEBUG="1", REHAB_VAR_DIR=str(tmp_path))

    assert debug["redirect"] is False
    assert (debug["hsts"], debug["preload"]) == (0, False)
