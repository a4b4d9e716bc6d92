"""Requests that must not fail or grow without bound (#11): every paginated list caps its page
at 200 rows and answers 400 for a malformed limit or offset; every id in a path or a query
parameter is parsed strictly (ASCII digits within the bigint range, slugs by their pattern),
so '³', an Arabic-Indic one or a 20-digit number is a 404 or a field error, never a 500 or another row.

The endpoints are read from the generated schema, so a new list or detail route is covered
without touching this file.
"""

from __future__ import annotations

import re

import pytest
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator

from programs.logbook.models import RunLog
from tests.api.conftest import client_for
from tests.api.test_access_matrix import EDIT_MATRIX, object_id
from tests.api.test_access_matrix import MATRIX as _MATRIX

BIGINT_MAX = 2**63 - 1
HUGE = "99999999999999999999"  # > bigint: "bigint out of range" on PostgreSQL
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x0660 + d) for d in range(10)))
ARABIC_ONE = "\u0661"  # reads as 1 for int(), is not an ASCII digit
MAX_LIMIT = 200

_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)

# Physio-only lists; every other list is read by the runner who owns the data.
PHYSIO_LISTS = {
    "/api/v1/patients/",
    "/api/v1/invitations/",
    "/api/v1/prescriptions/{id}/alternatives/",
}
# The access matrix and its block of plan-edit routes, as (expected statuses, body).
MATRIX = {**_MATRIX, **{route: row[:2] for route, row in EDIT_MATRIX.items()}}


def _is_list(operation) -> bool:
    body = operation["responses"].get("200", {}).get("content", {}).get("application/json", {})
    schema = body.get("schema", {})
    return schema.get("type") == "array" or schema.get("$ref", "").split("/")[-1].startswith(
        "Paginated"
    )


LIST_PATHS = sorted(
    path
    for path, methods in _SCHEMA["paths"].items()
    if "get" in methods and _is_list(methods["get"])
)


def _url(world, path: str) -> str:
    if "{id}" in path:
        return path.replace("{id}", str(object_id(world, path)))
    return path


def _actor(world, path: str):
    return world.users["linked_physio" if path in PHYSIO_LISTS else "owner"]


def test_the_schema_has_lists_and_every_one_is_paginated():
    assert len(LIST_PATHS) >= 10
    for path in LIST_PATHS:
        operation = _SCHEMA["paths"][path]["get"]
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {"limit", "offset"} <= names, f"{path} is a list without limit/offset"
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("type") != "array", f"{path} returns an unbounded array"


@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_caps_its_page_at_200(path):
    match = resolve(re.sub(r"\{id\}", "1", path))
    view = match.func.cls
    paginator = view.pagination_class()
    assert paginator.max_limit == MAX_LIMIT
    limit = next(p for p in _SCHEMA["paths"][path]["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["minimum"] == 1
    assert "200" in limit["description"]


BAD_PAGES = [
    ("limit", "abc"),
    ("limit", "-1"),
    ("limit", "0"),
    ("limit", "1.5"),
    ("limit", "³"),
    ("limit", "10".translate(ARABIC_INDIC)),
    ("offset", "-1"),
    ("offset", "abc"),
    ("offset", "²"),
    ("offset", HUGE),
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_answers_400_for_a_malformed_limit_or_offset(world, path):
    client = client_for(_actor(world, path))
    url = _url(world, path)
    for name, value in BAD_PAGES:
        response = client.get(url, {name: value})
        assert response.status_code == 400, (name, value, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid"
        assert list(error["fields"]) == [name], (name, value, error)


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_PATHS)
def test_every_list_takes_a_huge_limit_as_the_maximum(world, path):
    client = client_for(_actor(world, path))
    response = client.get(_url(world, path), {"limit": HUGE, "offset": "0"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["results"]) <= MAX_LIMIT
    assert body["next"] is None or "limit=200" in body["next"]


@pytest.mark.django_db
def test_a_page_never_holds_more_than_200_rows(runner):
    RunLog.objects.bulk_create(
        RunLog(runner=runner, date=runner.date_joined.date(), minutes=20, pain_during=1)
        for _ in range(MAX_LIMIT + 5)
    )
    client = client_for(runner)

    body = client.get("/api/v1/runs/", {"limit": "1000"}).json()

    assert body["count"] == MAX_LIMIT + 5
    assert len(body["results"]) == MAX_LIMIT
    assert "limit=200" in body["next"]
    assert "offset=200" in body["next"]
    rest = client.get("/api/v1/runs/", {"limit": HUGE, "offset": "200"}).json()
    assert len(rest["results"]) == 5


# --- Ids in paths ---------------------------------------------------------------------------

DETAIL_ROUTES = sorted(
    (method, path)
    for path, methods in _SCHEMA["paths"].items()
    if "{id}" in path
    for method in methods
    if method in {"get", "post", "put", "patch", "delete"}
)


def _allowed_actor(method: str, path: str) -> str:
    """An actor in scope, whose role may use the route (from the access matrix)."""
    expected, _body = MATRIX[(method, path)]
    return "owner" if expected["owner"] not in (403, 405) else "linked_physio"


def _bad_ids(real) -> list[str]:
    real = str(real)
    digits = real if real.isdigit() else "1"
    return [
        "³",
        ARABIC_ONE,
        digits.translate(ARABIC_INDIC),  # the real row's id in Arabic-Indic digits
        "²" + digits,
        HUGE,
        str(BIGINT_MAX + 1),
        "-1",
        "-" + digits,
        "1e3",
        " " + digits,
        "3-x".translate(ARABIC_INDIC),
    ]


def test_the_matrix_covers_every_detail_route():
    assert set(DETAIL_ROUTES) <= set(MATRIX)
    assert len(DETAIL_ROUTES) >= 15


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"), DETAIL_ROUTES, ids=[f"{m}-{p}" for m, p in DETAIL_ROUTES]
)
def test_every_detail_route_parses_ids_strictly(world, method, path):
    actor = _allowed_actor(method, path)
    client = client_for(world.users[actor])
    real = object_id(world, path)
    if not str(real).isdigit():  # a slug route: its row's numeric id
        from programs.content.models import ProgramTemplate

        real = ProgramTemplate.objects.get(slug=real).pk
    body = MATRIX[(method, path)][1]
    for bad in _bad_ids(real):
        url = path.replace("{id}", bad)
        kwargs = {"format": "json"} if body else {}
        response = getattr(client, method)(url, body(world) if body else None, **kwargs)
        assert response.status_code == 404, (bad, response.status_code, response.content)
        assert set(response.json()["error"]) == {"code", "message", "fields"}


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", ["exercises", "education", "templates"])
def test_content_routes_take_an_ascii_id_or_a_slug_only(content, runner, prefix):
    client = client_for(runner)
    first = client.get(f"/api/v1/{prefix}/").json()["results"][0]
    assert client.get(f"/api/v1/{prefix}/{first['id']}/").status_code == 200
    assert client.get(f"/api/v1/{prefix}/{first['slug']}/").status_code == 200
    for bad in ("³", str(first["id"]).translate(ARABIC_INDIC), first["slug"] + "³", HUGE, "a%20b"):
        assert client.get(f"/api/v1/{prefix}/{bad}/").status_code == 404, bad


# --- Ids in query parameters and bodies -------------------------------------------------------

INTEGER_QUERY_PARAMS = sorted(
    (path, p["name"])
    for path, methods in _SCHEMA["paths"].items()
    if "get" in methods
    for p in methods["get"].get("parameters", [])
    if p["in"] == "query"
    and p.get("schema", {}).get("type") == "integer"
    and p["name"] not in {"limit", "offset"}
)


def test_integer_query_parameters_are_found():
    assert ("/api/v1/runs/", "runner") in INTEGER_QUERY_PARAMS
    assert ("/api/v1/exercises/", "level") in INTEGER_QUERY_PARAMS


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name"), INTEGER_QUERY_PARAMS)
def test_integer_query_parameters_are_parsed_strictly(world, path, name):
    client = client_for(world.users["linked_physio"])
    for bad in ("³", ARABIC_ONE, "²2", HUGE, "-1", "1.0", "abc"):
        response = client.get(_url(world, path), {name: bad})
        assert response.status_code == 400, (name, bad, response.content)
        assert name in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_ids_in_a_plan_body_are_parsed_strictly(world):
    client = client_for(world.users["linked_physio"])
    base = {"equipment": ["mat"], "strength_days_per_week": 3, "preferred_weekdays": [0, 2, 4]}
    for template in ("³", ARABIC_ONE, HUGE, "-1"):
        response = client.post(
            "/api/v1/plans/",
            {**base, "template": template, "runner": world.users["owner"].pk},
            format="json",
        )
        assert response.status_code == 400, (template, response.content)
        assert "template" in response.json()["error"]["fields"]
    for runner in (HUGE, -1, 2**64):
        response = client.post(
            "/api/v1/plans/",
            {**base, "template": "gluteal-tendinopathy", "runner": runner},
            format="json",
        )
        assert response.status_code == 400, (runner, response.content)
        assert "runner" in response.json()["error"]["fields"]


# --- Web routes -------------------------------------------------------------------------------


def _web_id_routes() -> list[str]:
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    found = []

    def walk(patterns, prefix=""):
        for entry in patterns:
            route = prefix + str(entry.pattern)
            if isinstance(entry, URLResolver):
                if route.startswith(("api/", "admin/", "accounts/")):
                    continue
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern) and re.search(r"<(int|id):", route):
                found.append(route)

    walk(get_resolver().url_patterns)
    return sorted(found)


WEB_ID_ROUTES = _web_id_routes()


def test_web_routes_with_ids_are_found():
    assert "sessions/<id:pk>/" in WEB_ID_ROUTES
    assert all("<int:" not in route for route in WEB_ID_ROUTES), WEB_ID_ROUTES


@pytest.mark.django_db
@pytest.mark.parametrize("route", WEB_ID_ROUTES)
def test_web_routes_parse_ids_strictly(client, physio, runner, route):
    user = physio if route.startswith("physio/") else runner
    client.force_login(user)
    for bad in ("³", ARABIC_ONE, HUGE, str(BIGINT_MAX + 1), "-1"):
        url = "/" + re.sub(
            r"<\w+:(\w+)>", lambda m, bad=bad: "approve" if m[1] == "verdict" else bad, route
        )
        get = client.get(url)
        post = client.post(url, {})
        assert get.status_code in (404, 405), (url, get.status_code)
        assert post.status_code in (404, 405), (url, post.status_code)
