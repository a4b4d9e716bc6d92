# Data only: PostgreSQL cannot build the new indexes in the transaction that updated the rows.

from django.db import migrations
from django.utils.crypto import salted_hmac


def pseudonym(user_id):
    # The same as rehab.accounts.models.audit_pseudonym, frozen here for the migration.
    return salted_hmac("rehab.accounts.audit-pseudonym", str(user_id), algorithm="sha256").hexdigest()


def fill_pseudonyms(apps, schema_editor):
    """Rows written before this migration get their pseudonyms now, one UPDATE per person."""
    AccessLog = apps.get_model("accounts", "AccessLog")
    for field in ("actor", "runner"):
        ids = AccessLog.objects.exclude(**{f"{field}_id": None}).values_list(f"{field}_id", flat=True)
        for user_id in set(ids):
            AccessLog.objects.filter(**{f"{field}_id": user_id}).update(
                **{f"{field}_pseudonym": pseudonym(user_id)}
            )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_accesslog_survives_erasure'),
    ]

    operations = [
        migrations.RunPython(fill_pseudonyms, migrations.RunPython.noop),
    ]
