"""Real objects for every path parameter of the project's URL conf.

`site_cast` builds on the API world (a runner with a plan, a pending decision, a linked
physio) and adds what the remaining pages need: a screening, a flare-up, a reminder,
tokens for the calendar, the invitation landing and unsubscribing, allauth keys, and
the admin's objects. `value_for` maps a route's placeholder to one of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest

from tests.api.conftest import ended_physio, practices, world  # noqa: F401  (fixtures, re-exported)
from tests.programs.conftest import content, make_plan, screened_runner  # noqa: F401
from tests.url_walk import Route


@dataclass
class Cast:
    runner: object
    physio: object
    staff: object
    values: dict[str, str] = field(default_factory=dict)  # "<url name>|<param>" -> value
    by_param: dict[str, str] = field(default_factory=dict)  # "<param>" -> value

    def value_for(self, route: Route, param: str, converter: str) -> str | None:
        if converter == "drf_format_suffix":
            return ".json"
        if (route.name, param) in self.values:
            return self.values[(route.name, param)]
        if route.route.startswith("/admin/"):
            return self._admin_value(route, param)
        if route.name.startswith("v1:") and param in {"pk", "id"}:
            basename = route.name.split(":")[1].split("-", 1)[0]
            return self.values.get((f"v1:{basename}", param))
        return self.by_param.get(param)

    def _admin_value(self, route: Route, param: str) -> str | None:
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        from rehab.accounts.models import User

        if param == "content_type_id":
            return str(ContentType.objects.get_for_model(User).pk)
        if param == "id":  # the user password form
            return str(self.runner.pk)
        if param == "url":  # the admin's catch-all
            return "nowhere/"
        if param == "app_label":
            return "accounts"
        if param in {"object_id", "pk"}:
            parts = route.route.strip("/").split("/")
            if len(parts) >= 3 and parts[0] == "admin" and "<" not in parts[2]:
                model = apps.get_model(parts[1], parts[2])
                instance = model._default_manager.order_by("pk").first()
                return str(instance.pk) if instance else "0"
            return str(self.runner.pk)  # view_on_site: the user content type
        return None


@pytest.fixture
def site_cast(world, admin_user):  # noqa: F811
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str
    from django.contrib.auth.tokens import default_token_generator

    from programs.content.models import EducationTopic, Exercise, ProgramTemplate
    from programs.logbook.models import FlareUp, MorningCheckin, Referral, RunLog, Screening
    from programs.logbook.services import preferences_for
    from rehab.accounts.models import CareLink
    from rehab.accounts.services import api_token_create, invitation_create
    from rehab.notifications.models import ReminderKind
    from rehab.notifications.reminders import reminder_schedule_set, unsubscribe_token

    runner = world.users["owner"]
    physio = world.users["linked_physio"]
    screening = Screening.objects.filter(runner=runner).first()
    flare = FlareUp.objects.create(runner=runner, date=world.session.date, severity=4)
    checkin = MorningCheckin.objects.filter(runner=runner).first() or MorningCheckin.objects.create(
        runner=runner, date=world.session.date, pain=2
    )
    run = RunLog.objects.create(runner=runner, date=world.session.date, minutes=20, pain_during=1)
    referral = Referral.objects.create(
        runner=runner,
        source=Referral.Source.SCREENING,
        source_id=screening.pk,
        reasons=["rest_or_night_pain"],
    )
    device, _key = api_token_create(user=runner, device="walk")
    schedule = reminder_schedule_set(
        user=runner, kind=ReminderKind.CHECKIN, local_time=dt.time(8, 0), enabled=True
    )
    _invitation, invite_token = invitation_create(physio=physio, email="invitee@example.com")
    address = EmailAddress.objects.create(
        user=runner, email=runner.email, primary=True, verified=False
    )
    link = CareLink.objects.get(runner=runner, physio=physio)
    values = {
        ("runner:screening_result", "pk"): screening.pk,
        ("runner:session", "pk"): world.session.pk,
        ("runner:flare_result", "pk"): flare.pk,
        ("runner:checkin_edit", "pk"): checkin.pk,
        ("runner:referral_clear", "pk"): referral.pk,
        ("physio:referral_clear", "pk"): referral.pk,
        ("v1:checkin", "pk"): checkin.pk,
        ("v1:run", "pk"): run.pk,
        ("runner:run_edit", "pk"): run.pk,
        ("runner:run_delete", "pk"): run.pk,
        ("v1:referral", "pk"): referral.pk,
        ("v1:device", "pk"): device.pk,
        ("device_revoke", "pk"): device.pk,
        ("runner:topic", "slug"): EducationTopic.objects.order_by("pk").first().slug,
        ("content:figure", "slug"): Exercise.objects.order_by("pk").first().slug,
        ("runner:setup_step", "key"): "programme",
        ("runner:calendar", "token"): preferences_for(runner).calendar_token,
        ("invitation", "token"): invite_token,
        ("reminder_unsubscribe", "token"): unsubscribe_token(schedule),
        ("carelink_end", "pk"): link.pk,
        ("data_export", "fmt"): "json",
        ("settings_moved_rest", "rest"): "training/",
        ("physio:invitation_withdraw", "pk"): world.invitation.pk,
        ("physio:decide", "pk"): world.decision.pk,
        ("physio:decide", "verdict"): "approve",
        ("physio:editor_swap", "slot_key"): "gt-p1-bridge",
        ("physio:editor_step", "form_name"): "dose",
        ("v1:prescription", "id"): world.session.prescriptions.first().pk,
        ("v1:planned", "id"): world.session.pk,
        ("account_confirm_email", "key"): EmailConfirmationHMAC(address).key,
        ("account_reset_password_from_key", "uidb36"): user_pk_to_url_str(runner),
        ("account_reset_password_from_key", "key"): default_token_generator.make_token(runner),
        ("v1:plan", "pk"): world.plan.pk,
        ("v1:decision", "pk"): world.decision.pk,
        ("v1:session", "pk"): world.session.pk,
        ("v1:invitation", "pk"): world.invitation.pk,
        ("v1:exercise", "id"): Exercise.objects.order_by("pk").first().pk,
        ("v1:template", "id"): ProgramTemplate.objects.order_by("pk").first().slug,
        ("v1:education", "id"): EducationTopic.objects.order_by("pk").first().pk,
    }
    return Cast(
        runner=runner,
        physio=physio,
        staff=admin_user,
        values={key: str(value) for key, value in values.items()},
        by_param={"runner_id": str(runner.pk), "format": "json"},
    )
