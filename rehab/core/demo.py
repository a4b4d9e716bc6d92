"""Demo accounts for `make run`. Created only when DEBUG is on or --force is given."""

from typing import Any

DEMO_PASSWORD = "demo-hip-rehab-2026"  # noqa: S105 - printed by `make run`, DEBUG only

DEMO_ACCOUNTS: list[dict[str, Any]] = [
    {
        "label": "admin",
        "email": "admin@example.com",
        "role": "physio",
        "staff": True,
        "first_name": "Ada",
        "language": "en",
        "timezone": "Europe/Amsterdam",
    },
    {
        "label": "physio",
        "email": "physio@example.com",
        "role": "physio",
        "staff": False,
        "first_name": "Pieter",
        "language": "nl",
        "timezone": "Europe/Amsterdam",
    },
    {
        "label": "runner",
        "email": "runner@example.com",
        "role": "runner",
        "staff": False,
        "first_name": "Rosa",
        "language": "en",
        "timezone": "Europe/London",
    },
]
