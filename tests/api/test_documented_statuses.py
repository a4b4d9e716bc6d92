"""OpenAPI (#11): 409, 412, 422, 428 and 429 are documented where they can occur, each with
the error envelope, and the links lead from created or listed objects to the operations on
them (what schemathesis's stateful phase follows)."""

from __future__ import annotations

import pytest

WRITE = {"post", "put", "patch", "delete"}


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in WRITE | {"get"}:
                yield path, method, operation


def _url(world, path: str) -> str:
    from tests.api.test_access_matrix import object_id

    return path.replace("{id}", str(object_id(world, path))) if "{id}" in path else path


def test_error_statuses_are_documented_where_they_can_occur(db):
    schema = _schema()
    for path, method, operation in _operations(schema):
        responses = set(operation["responses"])
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        label = f"{method} {path}"
        assert ("409" in responses) == (method in WRITE), label
        assert ("412" in responses) == ("If-Match" in headers), label
        assert ("422" in responses) == ("Idempotency-Key" in headers), label
        assert ("415" in responses) == ("requestBody" in operation), label
        for code in responses - {"200", "201", "202", "204"}:
            body = operation["responses"][code]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorEnvelope"}, (label, code)
    patch = schema["paths"]["/api/v1/plans/{id}/"]["patch"]["responses"]
    assert {"409", "412", "428"} <= set(patch)


@pytest.mark.django_db
def test_429_is_documented_exactly_where_requests_are_throttled(world, monkeypatch):
    """With every rate at one request a minute, the operations that answer 429 on the second
    call are exactly those whose schema documents 429."""
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    from tests.api.conftest import client_for

    monkeypatch.setattr(
        ScopedRateThrottle,
        "THROTTLE_RATES",
        {"logs": "1/min", "login": "1/min", "register": "1/min"},
    )
    cache.clear()
    schema = _schema()
    throttled, documented = set(), set()
    for path, method, operation in _operations(schema):
        if path == "/api/v1/me/erase/":
            continue  # a wrong password is refused before anything; erasure is tested elsewhere
        client = client_for(world.users["owner"])
        codes = [
            getattr(client, method)(_url(world, path), {}, format="json").status_code
            for _ in range(2)
        ]
        if 429 in codes:
            throttled.add((method, path))
        if "429" in operation["responses"]:
            documented.add((method, path))
    cache.clear()
    assert throttled == documented
    assert ("post", "/api/v1/runs/") in throttled


@pytest.mark.django_db
def test_if_match_routes_answer_412_to_a_stale_etag(world):
    from tests.api.conftest import client_for

    schema = _schema()
    routes = [
        (path, method)
        for path, method, operation in _operations(schema)
        if any(p["name"] == "If-Match" for p in operation.get("parameters", []))
    ]
    assert len(routes) >= 3
    for path, method in routes:
        client = client_for(world.users["linked_physio"])
        response = getattr(client, method)(
            _url(world, path), {"green_max": 1}, format="json", HTTP_IF_MATCH='"plan-0-v0"'
        )
        assert response.status_code == 412, (method, path, response.content)
        assert response.json()["error"]["code"] == "precondition_failed"
    missing = client_for(world.users["linked_physio"]).patch(
        _url(world, "/api/v1/plans/{id}/"), {"green_max": 1}, format="json"
    )
    assert missing.status_code == 428


def test_links_lead_to_real_operations_and_their_parameters(db):
    schema = _schema()
    operations = {
        operation["operationId"]: operation for _path, _method, operation in _operations(schema)
    }
    links = {}
    for _path, _method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                links[(operation["operationId"], code, name)] = link
    assert len(links) >= 20
    for where, link in links.items():
        target = operations.get(link["operationId"])
        assert target is not None, where
        names = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
        names |= {p["name"] for p in target.get("parameters", []) if p["in"] == "path"}
        for parameter, expression in link["parameters"].items():
            assert parameter in names, (where, parameter)
            assert expression.startswith("$response."), (where, expression)
    follows = {(source, link["operationId"]) for (source, _code, _name), link in links.items()}
    assert ("v1_plans_create", "v1_plans_retrieve") in follows
    assert ("v1_plans_create", "v1_plans_sessions_list") in follows
    assert ("v1_plans_sessions_list", "v1_sessions_log_create") in follows
    assert ("v1_plans_current_week_retrieve", "v1_sessions_log_create") in follows


@pytest.mark.django_db
def test_a_link_expression_finds_the_id_in_a_real_answer(world):
    """$response.body#/results/0/id on the sessions list is the id the log route takes."""
    from tests.api.conftest import client_for

    client = client_for(world.users["owner"])
    sessions = client.get(f"/api/v1/plans/{world.plan.pk}/sessions/").json()
    session_id = sessions["results"][0]["id"]
    week = client.get("/api/v1/plans/current/week/").json()
    assert week["plan"] == world.plan.pk
    assert client.get(f"/api/v1/plans/{week['plan']}/").status_code == 200
    assert client.post(f"/api/v1/sessions/{session_id}/log/", {}, format="json").status_code in (
        400,
        409,
    )


@pytest.mark.django_db
def test_a_body_in_an_unreadable_content_type_is_a_documented_415(world):
    from tests.api.conftest import client_for

    response = client_for(world.users["owner"]).generic(
        "POST", "/api/v1/runs/", "minutes=20", content_type="text/plain"
    )

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert "415" in _schema()["paths"]["/api/v1/runs/"]["post"]["responses"]
