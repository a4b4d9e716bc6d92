"""A physiotherapist's plan edits in words, in the active language: the runner's "why did my
plan change" and the physiotherapist's editor both show them (shared surface part)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from programs.content.models import Exercise
from programs.plans.models import PlanRevision

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def exercise_names(slugs) -> dict[str, str]:
    """Exercise names in the active language, by slug."""
    dutch = (get_language() or "en").startswith("nl")
    names = {}
    for slug, en, nl, plain in Exercise.objects.filter(slug__in=set(slugs)).values_list(
        "slug", "name_en", "name_nl", "name"
    ):
        names[slug] = (nl if dutch and nl else en) or plain
    return names


def dose_text(dose: dict | None) -> str:
    """A dose ({"sets", "reps", "hold_seconds", "load_kg", "rest_seconds", "tempo"}) in words."""
    if not dose:
        return "\u2013"
    parts = [_("%(sets)s sets") % {"sets": dose.get("sets")}]
    if dose.get("reps"):
        parts.append(_("%(reps)s reps") % {"reps": dose["reps"]})
    if dose.get("hold_seconds"):
        parts.append(_("%(seconds)s s hold") % {"seconds": dose["hold_seconds"]})
    if dose.get("load_kg"):
        parts.append(_("%(kg)s kg") % {"kg": formats.localize(dose["load_kg"])})
    if dose.get("rest_seconds") is not None:
        parts.append(_("%(seconds)s s rest") % {"seconds": dose["rest_seconds"]})
    if dose.get("tempo"):
        parts.append(_("tempo %(tempo)s") % {"tempo": dose["tempo"]})
    return ", ".join(parts)


def _date(value) -> str:
    if not value:
        return ""
    day = dt.date.fromisoformat(value) if isinstance(value, str) else value
    return formats.date_format(day, "l j F")


def describe(change: dict, names: dict[str, str]) -> str:
    """One stored change (PlanRevision.changes) as a sentence."""
    action = change.get("action")
    exercise = names.get(change.get("exercise", ""), change.get("exercise", ""))
    if action == "swap":
        after = (change.get("after") or {}).get("exercise", "")
        return _("%(before)s is replaced by %(after)s.") % {
            "before": exercise,
            "after": names.get(after, after),
        }
    if action == "dose":
        text = _("%(exercise)s: %(before)s → %(after)s") % {
            "exercise": exercise,
            "before": dose_text(change.get("before")),
            "after": dose_text(change.get("after")),
        }
        if change.get("scope") == "week":
            return _("%(change)s (this week only).") % {"change": text}
        return _("%(change)s (from now on).") % {"change": text}
    if action == "note":
        return _("A note on %(exercise)s: “%(text)s”") % {
            "exercise": exercise,
            "text": change.get("text", ""),
        }
    if action == "plan_note":
        return _("A note on your plan: “%(text)s”") % {"text": change.get("text", "")}
    if action == "add_exercise":
        return _("%(exercise)s is added to your sessions.") % {"exercise": exercise}
    if action == "remove_exercise":
        return _("%(exercise)s is taken out of your sessions.") % {"exercise": exercise}
    if action == "session_add":
        return _("A session is added on %(date)s.") % {"date": _date(change.get("to_date"))}
    if action == "session_remove":
        return _("The session of %(date)s is taken out.") % {"date": _date(change.get("date"))}
    if action == "session_move":
        return _("The session of %(date)s moves to %(to)s.") % {
            "date": _date(change.get("date")),
            "to": _date(change.get("to_date")),
        }
    if action == "training_days":
        after = change.get("after") or {}
        days = ", ".join(str(WEEKDAYS[d]) for d in after.get("weekdays", ()))
        text = _("Your training days are now %(days)s.") % {"days": days}
        if after.get("long_run_weekday") is not None:
            text += " " + _("Long run on %(day)s.") % {"day": WEEKDAYS[after["long_run_weekday"]]}
        return text
    return _("Your physiotherapist changed your plan.")


@dataclass
class EditRow:
    revision: PlanRevision
    texts: list[str]
    reason: str


def physio_edits(plan, *, limit: int = 20) -> list[EditRow]:
    """The physiotherapist's edits of a plan, newest first, in the active language."""
    revisions = [
        r
        for r in plan.revisions.filter(kind=PlanRevision.Kind.PHYSIO).order_by("-number")[:limit]
        if r.changes
    ]
    slugs = set()
    for revision in revisions:
        for change in revision.changes or ():
            slugs.add(change.get("exercise", ""))
            slugs.add((change.get("after") or {}).get("exercise", ""))
    names = exercise_names(slugs - {""})
    return [EditRow(r, [describe(c, names) for c in r.changes or ()], r.reason) for r in revisions]
