"""Load the YAML content library into the database: validate everything, then upsert.

- Upserts are keyed on slugs/keys; a row is saved only when something changed, so a
  second load of the same files touches nothing.
- Rows are never deleted. With ``prune=True`` (the whole library, as ``load_content``
  does) a record missing from its file is deactivated; phases and slots likewise.
  Exit criteria, target muscles, EMG findings and walk-run stages are owned by their
  parent record and are replaced when they change (nothing else points at them).
- Any problem anywhere means nothing is written (`ContentError` lists them all).
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from programs.content.checks import Problem
from programs.content.outline import content_changed
from programs.content.reading import (
    CONTENT_DIR,
    ContentError,
    Documents,
    parse_document,
    read_directory,
    validate_documents,
)
from programs.content.writing import LibraryWriter, LoadReport

# --- Reading -------------------------------------------------------------------------------


# --- Validation ----------------------------------------------------------------------------


# --- Writing -------------------------------------------------------------------------------


def content_load(*, documents: Documents, prune: bool) -> LoadReport:
    """Validate the documents against the whole library, then write them atomically."""
    report = LoadReport()
    writer = LibraryWriter(report, prune)
    steps = [
        ("sources", writer.sources),
        ("exercises", writer.exercises),
        ("education", writer.topics),
        ("conditions", writer.conditions),
        ("templates", writer.templates),
    ]
    with transaction.atomic():
        validate_documents(documents, prune=prune)
        for kind, write in steps:
            if kind in documents:
                write(documents[kind][1])
        content_changed()  # bulk inserts and queryset updates above send no signals
    return report


def content_load_directory(*, directory: Path = CONTENT_DIR) -> LoadReport:
    """The whole library from its files; records missing from a file are deactivated."""
    return content_load(documents=read_directory(directory), prune=True)


def content_import(*, files: list[tuple[str, str]], prune: bool = False) -> LoadReport:
    """Import uploaded YAML texts [(name, text)]; by default records not in them stay."""
    documents: Documents = {}
    problems = []
    for name, text in files:
        try:
            kind, records = parse_document(text, name)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if kind in documents:
            problems.append(
                Problem(name, "-", _("Two files hold the same kind '%(kind)s'.") % {"kind": kind})
            )
        documents[kind] = (name, records)
    if problems:
        raise ContentError(problems)
    return content_load(documents=documents, prune=prune)
