"""The portal's one-time codes for the citizen's document store (StoreCode)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0002_feedback_moved_to_feedback_app"),
    ]

    operations = [
        migrations.CreateModel(
            name="StoreCode",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "id_number",
                    models.CharField(
                        db_index=True, max_length=32, verbose_name="số định danh cá nhân"
                    ),
                ),
                ("channel", models.CharField(blank=True, max_length=8, verbose_name="kênh")),
                (
                    "address_masked",
                    models.CharField(blank=True, max_length=254, verbose_name="gửi tới"),
                ),
                ("salt", models.CharField(max_length=32)),
                ("code_hash", models.CharField(max_length=64)),
                (
                    "attempts",
                    models.PositiveSmallIntegerField(default=0, verbose_name="số lần nhập"),
                ),
                ("created_at", models.DateTimeField(verbose_name="tạo lúc")),
                ("expires_at", models.DateTimeField(verbose_name="hết hạn lúc")),
                (
                    "verified_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="xác thực lúc"),
                ),
            ],
            options={
                "verbose_name": "mã xác thực dùng kho dữ liệu",
                "verbose_name_plural": "mã xác thực dùng kho dữ liệu",
            },
        ),
    ]
