"""Pure checks on library records, shared by the content loader and the admin forms.

Every function takes plain values and returns a list of human-readable problems
(empty when the record is fine). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext as _

from programs.plans import specs

LANGUAGES = ("en", "nl")


def regression_cycle(links: Mapping[str, str | None]) -> list[str] | None:
    """The first cycle in the regression links (slug -> easier slug), or None.

    The links form a forest when every chain of regressions ends at a root. A
    cycle is returned as the path that closes it, e.g. ["a", "b", "a"].
    """
    finished: set[str] = set()
    for start in sorted(links):
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in finished:
            if node in on_path:
                return [*path[path.index(node) :], node]
            path.append(node)
            on_path.add(node)
            node = links.get(node)
        finished.update(path)
    return None


def cycle_problems(links: Mapping[str, str | None]) -> list[str]:
    cycle = regression_cycle(links)
    if cycle is None:
        return []
    return [
        _("Regression links form a cycle: %(path)s. Every chain must end at a root exercise.")
        % {"path": " -> ".join(cycle)}
    ]


def translation_problems(
    texts: Mapping[str, Mapping[str, str] | None], *, optional: Iterable[str] = ()
) -> list[str]:
    """Every text needs English and Dutch; optional texts may be empty in both."""
    problems = []
    optional = set(optional)
    for field, value in texts.items():
        value = value or {}
        filled = {lang for lang in LANGUAGES if str(value.get(lang) or "").strip()}
        if field in optional and not filled:
            continue
        for lang in LANGUAGES:
            if lang not in filled:
                problems.append(
                    _("Text '%(field)s' is missing in %(language)s.")
                    % {"field": field, "language": _language_name(lang)}
                )
    return problems


def _language_name(code: str) -> str:
    return {"en": _("English"), "nl": _("Dutch")}[code]


def source_problems(keys: Iterable[str], known: Iterable[str]) -> list[str]:
    """At least one source, and every key must be a known source."""
    keys = list(keys)
    if not keys:
        return [_("At least one evidence source is required.")]
    known = set(known)
    return [
        _("Unknown evidence source '%(key)s'.") % {"key": key} for key in keys if key not in known
    ]


def exercise_problems(
    *,
    level: int,
    compression: str,
    equipment: Iterable[str],
    dosage_type: str,
    default_sets: int,
    default_reps: int | None,
    default_hold_seconds: int | None,
    not_for_conditions: Iterable[str],
) -> list[str]:
    """The exercise's own fields, against the shared vocabularies of specs.py."""
    problems = []
    if not 1 <= int(level) <= 5:
        problems.append(_("Level must be between 1 and 5."))
    if compression not in specs.COMPRESSION_CLASSES:
        problems.append(_("Unknown compression class '%(value)s'.") % {"value": compression})
    equipment = list(equipment)
    if not equipment:
        problems.append(_("List the equipment, or 'none'."))
    for code in equipment:
        if code not in specs.EQUIPMENT:
            problems.append(_("Unknown equipment '%(value)s'.") % {"value": code})
    if "none" in equipment and len(equipment) > 1:
        problems.append(_("'none' cannot be combined with other equipment."))
    if dosage_type not in specs.DOSAGE_TYPES:
        problems.append(_("Unknown dosage type '%(value)s'.") % {"value": dosage_type})
    if not 1 <= int(default_sets) <= 10:
        problems.append(_("Default sets must be between 1 and 10."))
    if dosage_type == "reps" and not default_reps:
        problems.append(_("A repetition exercise needs default reps."))
    if dosage_type == "hold" and not default_hold_seconds:
        problems.append(_("A hold exercise needs a default hold time."))
    if default_hold_seconds and default_hold_seconds > 300:
        problems.append(_("A hold longer than 300 seconds is not a sensible dose."))
    for code in not_for_conditions:
        if code not in specs.CONDITIONS:
            problems.append(_("Unknown condition '%(value)s'.") % {"value": code})
    return problems


def regression_level_problems(
    *, level: int, regression_slug: str, regression_level: int
) -> list[str]:
    if regression_level > level:
        return [
            _(
                "The regression '%(slug)s' (level %(easier)s) is harder than this exercise (level %(level)s)."
            )
            % {"slug": regression_slug, "easier": regression_level, "level": level}
        ]
    return []
