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
    settings.SECURE_HSTS_PRELOAD = True

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


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


def _directive(policy: str, name: str) -> str:
    return next(
        (part.strip() for part in policy.split(";") if part.strip().startswith(name + " ")), ""
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/api/docs/", "/admin/login/"])
def test_styles_come_from_files_only(client, path):
    style_src = _directive(client.get(path)["Content-Security-Policy"], "style-src")

    assert style_src == "style-src 'self'"
    assert "unsafe-inline" not in client.get(path)["Content-Security-Policy"]


def test_no_page_template_holds_an_inline_style():
    """The policy allows no inline style, so none may be written. Email templates are
    exempt: mail clients read only inline styles, and no page's policy applies there."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[3] / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if path.parts[len(root.parts)] != "emails"
        and ("style=" in path.read_text() or "<style" in path.read_text())
    ]
    assert not offenders


def test_charts_use_classes_and_presentation_attributes_only():
    from programs.ui import charts

    svg = charts.chart(
        chart_id="c",
        title="t",
        description="d",
        labels=["W1", "W2", "W3"],
        lines=[charts.Series("a", (1, None, 3), "s1"), charts.Series("b", (2, 2, 2), "s2")],
        bars=[charts.Series("c", (4, 5, 0), "b1")],
        guides=[charts.Guide(2.5, "g")],
    )
    assert "<polyline" in svg
    assert "<rect" in svg
    assert "style" not in svg.lower()
