import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/docs/", "/healthz"])
def test_pages_carry_the_security_headers(client, path):
    response = client.get(path)

    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_hsts_is_on_outside_debug(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.django_db
def test_api_docs_load_nothing_from_other_hosts(client):
    html = client.get("/api/docs/").content.decode()

    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html
    # No inline script: the initialiser is a separate URL the policy allows.
    assert "<script>" not in html
    assert client.get("/api/docs/?script=").status_code == 200


@pytest.mark.django_db
def test_health_answers_are_never_cached(client):
    assert "no-store" in client.get("/healthz")["Cache-Control"]
