"""The result message now carries the rating link ({lien_ket_danh_gia}); rows an administrator
has edited are left as they are."""

from django.db import migrations


def forward(apps, schema_editor):
    from motcua.notifications.defaults import DEFAULT_TEMPLATES, RESOLVED_BEFORE_RATING_LINK

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for channel, before in RESOLVED_BEFORE_RATING_LINK.items():
        _subject, body = DEFAULT_TEMPLATES[("resolved", channel)]
        MessageTemplate.objects.filter(kind="resolved", channel=str(channel), body=before).update(
            body=body
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_default_templates")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
