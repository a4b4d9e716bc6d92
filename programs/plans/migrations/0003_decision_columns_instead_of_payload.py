"""Decision: the phase and run transitions get columns of their own and the payload
column, which repeated every other column, goes. The (plan, fingerprint) index serves
lookups by plan, so the separate plan index goes too."""

import django.db.models.deletion
from django.db import migrations, models

import rehab.core.fields


def copy_transitions(apps, schema_editor):
    Decision = apps.get_model("plans", "Decision")
    for decision in Decision.objects.exclude(payload={}).iterator(chunk_size=2000):
        payload = decision.payload or {}
        Decision.objects.filter(pk=decision.pk).update(
            phase_before=payload.get("phase_before") or "",
            phase_after=payload.get("phase_after") or "",
            run_before=payload.get("run_before"),
            run_after=payload.get("run_after"),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0002_plan_evaluation_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="phase_after",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="decision",
            name="phase_before",
            field=models.CharField(blank=True, max_length=60),
        ),
        migrations.AddField(
            model_name="decision",
            name="run_after",
            field=rehab.core.fields.DocumentField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="decision",
            name="run_before",
            field=rehab.core.fields.DocumentField(blank=True, null=True),
        ),
        migrations.RunPython(copy_transitions, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(
            model_name="decision",
            name="payload",
        ),
        migrations.AlterField(
            model_name="decision",
            name="plan",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="decisions",
                to="plans.plan",
            ),
        ),
    ]
