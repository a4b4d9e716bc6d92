"""Reading the YAML library: documents from files or an upload, parsed and checked as a
whole (programs.content.checks) before anything is written."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from programs.content import records as content_records
from programs.content import schema
from programs.content.checks import Library, Problem, validate_library

CONTENT_DIR = Path(__file__).resolve().parent / "library"


FILE_NAMES = {kind: f"{kind}.yaml" for kind in schema.KINDS}


DATABASE = "database"


# kind -> (origin file name, records)
Documents = dict[str, tuple[str, list]]


class ContentError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def parse_document(text: str, origin: str) -> tuple[str, list]:
    """(kind, records) of one YAML file; raises ContentError when it is unreadable."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        message = _("Not valid YAML: %(error)s") % {"error": exc}
        raise ContentError([Problem(origin, "-", message)]) from exc
    if not isinstance(data, dict) or len(data) != 1 or next(iter(data)) not in schema.KINDS:
        raise ContentError(
            [
                Problem(
                    origin,
                    "-",
                    _("The file must have exactly one top-level key, one of: %(kinds)s.")
                    % {"kinds": ", ".join(schema.KINDS)},
                )
            ]
        )
    kind, records = next(iter(data.items()))
    if not isinstance(records, list):
        raise ContentError([Problem(origin, kind, _("Expected a list of records."))])
    return kind, records


def read_directory(directory: Path = CONTENT_DIR) -> Documents:
    documents: Documents = {}
    problems = []
    for kind, name in FILE_NAMES.items():
        path = Path(directory) / name
        if not path.exists():
            problems.append(Problem(name, "-", _("The file is missing.")))
            continue
        try:
            found, records = parse_document(path.read_text(encoding="utf-8"), name)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if found != kind:
            problems.append(
                Problem(name, "-", _("Expected the top-level key '%(kind)s'.") % {"kind": kind})
            )
            continue
        documents[kind] = (name, records)
    if problems:
        raise ContentError(problems)
    return documents


def build_library(documents: Documents, *, prune: bool) -> Library:
    """Stored rows overlaid with the input; raises ContentError on shape problems."""
    problems: list[Problem] = []
    library: Library = {}
    for kind in schema.KINDS:
        key_field = schema.RECORD_KEYS[kind]
        entries: dict[str, tuple[str, dict]] = {}
        if kind not in documents or not prune:
            for rec in content_records.records(kind):
                entries[str(rec[key_field])] = (DATABASE, rec)
        if kind in documents:
            origin, records = documents[kind]
            seen: set[str] = set()
            for index, rec in enumerate(records, start=1):
                label = (
                    str(rec.get(key_field))
                    if isinstance(rec, dict) and rec.get(key_field)
                    else f"#{index}"
                )
                where = f"{kind[:-1] if kind != 'education' else 'topic'} '{label}'"
                shape = schema.shape_problems(rec, schema.RECORD_SCHEMAS[kind])
                if label in seen:
                    shape.append(_("Duplicate key '%(key)s'.") % {"key": label})
                seen.add(label)
                problems.extend(Problem(origin, where, str(m)) for m in shape)
                if not shape:
                    entries[label] = (origin, rec)
        library[kind] = entries
    if problems:
        raise ContentError(problems)
    return library


def validate_documents(documents: Documents, *, prune: bool) -> Library:
    library = build_library(documents, prune=prune)
    problems = validate_library(library)
    if problems:
        raise ContentError(problems)
    return library
