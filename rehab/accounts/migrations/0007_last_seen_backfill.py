# Data only, after the schema change (see 0004 on PostgreSQL and new indexes).

from django.db import migrations
from django.db.models.functions import Coalesce


def last_seen_from_logins(apps, schema_editor):
    """Existing accounts were last seen at their last sign-in, or when they were made."""
    User = apps.get_model("accounts", "User")
    User.objects.update(last_seen_at=Coalesce("last_login", "date_joined"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_retention'),
    ]

    operations = [
        migrations.RunPython(last_seen_from_logins, migrations.RunPython.noop),
    ]
