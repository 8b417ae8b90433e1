"""Fill the rollups of a database that already has counters (an upgrade): without this its
scorecards and rates would read empty rollups until `motcua indicators rebuild`."""

from django.db import migrations


def rollups_fill(apps, schema_editor):
    # A new database has no counters yet; skip it, so this step never depends on later schemas.
    if not apps.get_model("indicators", "DailyCounter").objects.exists():
        return
    from motcua.indicators.counters import rollups_rebuild

    rollups_rebuild()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_rollups")]
    operations = [migrations.RunPython(rollups_fill, migrations.RunPython.noop)]
