from django.db import migrations, models
from django.db.models import Count, Max


def close_duplicate_pending(apps, schema_editor):
    """Before the constraint: where a physio has several pending invitations to one address,
    keep the newest and close the others (their links stop working, as the newest does not)."""
    from django.utils import timezone

    Invitation = apps.get_model("accounts", "Invitation")
    pending = Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    groups = (
        pending.values("physio_id", "email")
        .annotate(n=Count("id"), newest=Max("id"))
        .filter(n__gt=1)
    )
    now = timezone.now()
    for group in groups:
        pending.filter(physio_id=group["physio_id"], email=group["email"]).exclude(
            id=group["newest"]
        ).update(revoked_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_last_seen_backfill"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_pending, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("accepted_at__isnull", True), ("revoked_at__isnull", True)),
                fields=("physio", "email"),
                name="one_pending_invitation_per_email",
            ),
        ),
    ]
