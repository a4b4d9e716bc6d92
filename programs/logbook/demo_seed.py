from __future__ import annotations

from django.conf import settings
from django.db import transaction

from rehab.accounts.models import CareLink, User
from rehab.accounts.services import carelink_activate, user_create
from rehab.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


@transaction.atomic
def demo_seed() -> int:
    """Create the demo cast once; running it again changes nothing."""
    created = 0
    users = {}
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account["email"]).first()
        if user is None:
            user = user_create(
                email=account["email"],
                password=DEMO_PASSWORD,
                role=account["role"],
                language=account["language"],
                timezone_name=account["timezone"],
                health_data_consent=account["role"] == "runner",
                privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
                first_name=account["first_name"],
                is_staff=account["staff"],
                is_superuser=account["staff"],
            )
            created += 1
        _verify_email(user)
        users[account["label"]] = user
    link, _ = CareLink.objects.get_or_create(
        physio=users["physio"],
        runner=users["runner"],
        status__in=[CareLink.Status.PENDING, CareLink.Status.ACTIVE],
        defaults={"status": CareLink.Status.PENDING},
    )
    carelink_activate(link=link)
    _demo_plan(users["runner"], users["physio"])
    return created


def _demo_plan(runner: User, physio: User) -> None:
    """Give the demo runner a clear screening and a plan, when the content is loaded."""
    import datetime as dt

    from programs.content.models import ProgramTemplate
    from programs.engine.samples import sample_runner_context
    from programs.logbook.models import Screening
    from programs.logbook.services import plan_start
    from programs.plans.models import Plan
    from rehab.core.timeutils import local_today

    template = ProgramTemplate.objects.filter(slug="gluteal-tendinopathy").first()
    if template is None or Plan.objects.filter(runner=runner).exists():
        return
    if not Screening.objects.filter(runner=runner).exists():
        Screening.objects.create(
            runner=runner,
            answers={"demo": True},
            outcome="ok",
            condition="gluteal_tendinopathy",
            irritability="moderate",
            baseline_pain=3,
            features=["lying_on_side_hurts", "stairs_hurt"],
        )
    today = local_today(runner.timezone)
    context = sample_runner_context(
        start_date=today - dt.timedelta(days=today.weekday()), timezone=runner.timezone
    )
    plan_start(runner=runner, template=template, context=context, created_by=physio)


def _verify_email(user: User) -> None:
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},
    )
