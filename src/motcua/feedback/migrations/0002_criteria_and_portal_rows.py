"""The shipped rating criteria, and the feedback and ratings the portal stored before this app
existed, moved here with their ids (so PAKN-000001 stays PAKN-000001)."""

from django.db import migrations


def forward(apps, schema_editor):
    from django.core.management.color import no_style

    from motcua.feedback import rules
    from motcua.feedback.defaults import CRITERIA
    from motcua.workcalendar.calendar import WorkCalendar

    Criterion = apps.get_model("feedback", "RatingCriterion")
    for code, name, position in CRITERIA:
        Criterion.objects.get_or_create(code=code, defaults={"name": name, "position": position})

    OldFeedback = apps.get_model("portal", "Feedback")
    OldRating = apps.get_model("portal", "Rating")
    Feedback = apps.get_model("feedback", "Feedback")
    FeedbackEvent = apps.get_model("feedback", "FeedbackEvent")
    Rating = apps.get_model("feedback", "Rating")
    Unit = apps.get_model("units", "Unit")
    root = Unit.objects.filter(parent__isnull=True).order_by("path").first()
    # The national calendar (no unit's own days): enough for rows that only ever waited.
    calendar = WorkCalendar()
    for old in OldFeedback.objects.order_by("pk"):
        due = rules.deadlines_from(calendar=calendar, start=old.created_at)
        new = Feedback.objects.create(
            pk=old.pk,
            name=old.name,
            phone=old.phone,
            email=old.email,
            content=old.content,
            channel="portal",
            unit_id=old.unit_id or (root.pk if root else None),
            status="received",
            sent_at=old.created_at,
            clock_from=old.created_at,
            refuse_due_at=due.refuse,
            info_due_at=due.info,
            handle_due_at=due.handle,
            last_seq=1,
        )
        FeedbackEvent.objects.create(
            feedback=new,
            seq=1,
            kind="received",
            at=old.created_at,
            to_status="received",
            to_unit_id=new.unit_id,
            note="Cổng dịch vụ công",
        )
    for old in OldRating.objects.order_by("pk"):
        Rating.objects.create(
            pk=old.pk,
            dossier_id=old.dossier_id,
            score=old.score,
            comment=old.comment,
            channel="portal",
            created_at=old.created_at,
            updated_at=old.created_at,
        )
    # Ids were given explicitly: PostgreSQL's sequences must continue after them.
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), [Feedback, Rating])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
