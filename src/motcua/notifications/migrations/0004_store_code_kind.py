"""The one-time code of the portal's document-store step: a message kind, and its shipped
templates for administrators to edit (rows installed only where missing)."""

from django.db import migrations, models


def install(apps, schema_editor):
    from motcua.notifications.defaults import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (kind, channel), (subject, body) in DEFAULT_TEMPLATES.items():
        if kind == "store_code":
            MessageTemplate.objects.get_or_create(
                kind=str(kind), channel=str(channel), defaults={"subject": subject, "body": body}
            )


def uninstall(apps, schema_editor):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    MessageTemplate.objects.filter(kind="store_code").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_feedback_rating_link"),
    ]

    operations = [
        migrations.AlterField(
            model_name="messagetemplate",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("financial_obligation_requested", "Thông báo nghĩa vụ tài chính"),
                    ("resolved", "Có kết quả giải quyết"),
                    ("apologised", "Xin lỗi và hẹn lại ngày trả kết quả"),
                    ("feedback_answered", "Trả lời phản ánh, kiến nghị"),
                    ("store_code", "Mã xác thực dùng kho dữ liệu"),
                ],
                max_length=40,
                verbose_name="loại thông báo",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("received", "Tiếp nhận hồ sơ"),
                    ("supplement_requested", "Yêu cầu bổ sung hồ sơ"),
                    ("financial_obligation_requested", "Thông báo nghĩa vụ tài chính"),
                    ("resolved", "Có kết quả giải quyết"),
                    ("apologised", "Xin lỗi và hẹn lại ngày trả kết quả"),
                    ("feedback_answered", "Trả lời phản ánh, kiến nghị"),
                    ("store_code", "Mã xác thực dùng kho dữ liệu"),
                ],
                max_length=40,
                verbose_name="loại thông báo",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
