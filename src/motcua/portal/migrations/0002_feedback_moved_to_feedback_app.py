"""Feedback and ratings now live in the feedback app (its migration 0002 copied the rows)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("feedback", "0002_criteria_and_portal_rows"),
    ]

    operations = [
        migrations.DeleteModel(name="Rating"),
        migrations.DeleteModel(name="Feedback"),
    ]
