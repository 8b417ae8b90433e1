"""The event log's hash chain (dossiers.chain) and its signed checkpoints. Events already stored are
sealed here, dossier by dossier in seq order: from now on a change to any of them is detected.
(On PostgreSQL the append-only trigger is lifted for the duration of this one migration, which runs
as the tables' owner.)"""

import django.utils.timezone
from django.db import migrations, models

from motcua.dossiers.chain import GENESIS, event_hash_of


def seal_existing(apps, schema_editor):
    DossierEvent = apps.get_model("dossiers", "DossierEvent")
    Dossier = apps.get_model("dossiers", "Dossier")
    postgres = schema_editor.connection.vendor == "postgresql"
    if not DossierEvent.objects.exists():
        return
    if postgres:
        schema_editor.execute(
            "ALTER TABLE dossiers_dossierevent DISABLE TRIGGER dossierevent_append_only"
        )
    last_pk = 0
    while True:
        dossiers = list(
            Dossier.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", "code")[:500]
        )
        if not dossiers:
            break
        codes = dict(dossiers)
        previous: dict[int, str] = {}
        changed = []
        for event in DossierEvent.objects.filter(dossier_id__in=codes).order_by(
            "dossier_id", "seq"
        ):
            event.hash = event_hash_of(
                event,
                code=codes[event.dossier_id],
                previous=previous.get(event.dossier_id, GENESIS),
            )
            previous[event.dossier_id] = event.hash
            changed.append(event)
        DossierEvent.objects.bulk_update(changed, ["hash"], batch_size=500)
        last_pk = dossiers[-1][0]
    if postgres:
        schema_editor.execute(
            "ALTER TABLE dossiers_dossierevent ENABLE TRIGGER dossierevent_append_only"
        )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0008_portal_and_digitization_facts")]

    operations = [
        migrations.AlterField(
            model_name="dossierevent",
            name="recorded_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, editable=False, verbose_name="thời điểm ghi"
            ),
        ),
        migrations.AddField(
            model_name="dossierevent",
            name="hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="mã băm"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(verbose_name="thời điểm")),
                ("last_event_id", models.BigIntegerField(verbose_name="sự kiện cuối")),
                ("event_count", models.BigIntegerField(verbose_name="số sự kiện")),
                ("digest", models.CharField(max_length=64)),
                ("previous_digest", models.CharField(blank=True, max_length=64)),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "mốc kiểm toán nhật ký",
                "verbose_name_plural": "mốc kiểm toán nhật ký",
                "ordering": ["last_event_id", "id"],
            },
        ),
    ]
