"""The shipped Vietnamese templates, one per kind and channel, for administrators to edit."""

from django.db import migrations


def install(apps, schema_editor):
    from motcua.notifications.defaults import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), (subject, body) in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(
            kind=str(kind), channel=str(channel), defaults={"subject": subject, "body": body}
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
