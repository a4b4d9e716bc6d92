"""Walk every URL pattern of the project and turn each into a real path.

Tests that must hold for every page (private caching headers, role guards) use this so
that a page added later is covered without editing the test: a path parameter the
filler does not know fails the test and names the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver

PLACEHOLDER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "/physio/runners/<int:runner_id>/"
    name: str  # namespaced url name, e.g. "physio:runner"; "" when the pattern has none

    @property
    def params(self) -> list[str]:
        return [m.group("name") for m in PLACEHOLDER.finditer(self.route)]


def routes() -> list[Route]:
    """Every pattern of the root URL conf, with its namespaced name."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or ""
                if name and namespace:
                    name = f"{namespace}:{name}"
                route = simplify_regex(prefix + str(pattern.pattern)).replace("\\.", ".")
                yield Route(route=route, name=name)

    return list(walk(get_resolver(), "", ""))


class UnknownParameter(LookupError):
    pass


def fill(route: Route, value_for: Callable[[Route, str, str], str | None]) -> str:
    """The route with each placeholder replaced by `value_for(route, param, converter)`."""

    def replace(match: re.Match) -> str:
        value = value_for(route, match.group("name"), match.group("converter") or "")
        if value is None:
            raise UnknownParameter(f"no value for <{match.group('name')}> in {route}")
        return str(value)

    return PLACEHOLDER.sub(replace, route.route)
