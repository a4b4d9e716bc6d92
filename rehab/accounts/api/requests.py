"""The signed-in user of an API request."""

from __future__ import annotations

from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request

from rehab.accounts.models import User


def signed_in(request: Request) -> User:
    """The user of a request the permissions let through (IsAuthenticated is the default):
    a User for the type checker, and a 401 should a view ever be left open by mistake."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user
