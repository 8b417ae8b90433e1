"""Fill the rollups of a database that already has counters (an upgrade): without this its
scorecards and rates would read empty rollups until `motcua indicators rebuild`.

Written with the historical models and its own copy of the rollup rule as it stood when the
rollups were introduced (a counter row adds to every unit on its unit's path, for its day, month
and year, under its procedure's class), so later changes to the application's code cannot change
what this step does."""

from collections import defaultdict

from django.db import migrations

# The counted columns at this migration's schema.
COLUMNS = (
    "received",
    "received_online",
    "received_digitized",
    "received_reused",
    "received_with_fee",
    "received_paid_online",
    "received_synced",
    "received_multi_supplement",
    "ended",
    "ended_early",
    "ended_on_time",
    "ended_late",
    "resolved_with_result",
    "resolved_with_result_file",
    "open_delta",
    "overdue_delta",
)
USE_COLUMNS = ("received", "received_paid_online")


def rollups_fill(apps, schema_editor):
    DailyCounter = apps.get_model("indicators", "DailyCounter")
    RollupCounter = apps.get_model("indicators", "RollupCounter")
    ProcedureUse = apps.get_model("indicators", "ProcedureUse")
    Unit = apps.get_model("units", "Unit")
    Procedure = apps.get_model("catalog", "Procedure")
    if not DailyCounter.objects.exists():
        return  # a new database: nothing to fill
    by_code = dict(Unit.objects.values_list("code", "pk"))
    ancestors = {
        pk: [by_code[code] for code in path.strip("/").split("/") if code in by_code]
        for pk, path in Unit.objects.values_list("pk", "path")
    }
    classes = {
        pk: (online, kind)
        for pk, online, kind in Procedure.objects.values_list("pk", "online_level", "result_kind")
    }
    rollup = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    use = defaultdict(lambda: dict.fromkeys(USE_COLUMNS, 0))
    rows = DailyCounter.objects.values("unit_id", "procedure_id", "day", *COLUMNS)
    for row in rows.iterator(chunk_size=5000):
        day = row["day"]
        online, kind = classes[row["procedure_id"]]
        for subtree in ancestors[row["unit_id"]]:
            for span, first in (
                ("d", day),
                ("m", day.replace(day=1)),
                ("y", day.replace(month=1, day=1)),
            ):
                total = rollup[(subtree, span, first, online, kind)]
                for column in COLUMNS:
                    total[column] += row[column]
                used = use[(subtree, span, first, row["procedure_id"])]
                for column in USE_COLUMNS:
                    used[column] += row[column]
    RollupCounter.objects.all().delete()
    ProcedureUse.objects.all().delete()
    RollupCounter.objects.bulk_create(
        (
            RollupCounter(unit_id=u, span=s, day=d, online_level=o, result_kind=k, **counts)
            for (u, s, d, o, k), counts in rollup.items()
            if any(counts.values())
        ),
        batch_size=2000,
    )
    ProcedureUse.objects.bulk_create(
        (
            ProcedureUse(unit_id=u, span=s, day=d, procedure_id=p, **counts)
            for (u, s, d, p), counts in use.items()
            if any(counts.values())
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("indicators", "0002_rollups")]
    operations = [migrations.RunPython(rollups_fill, migrations.RunPython.noop)]
