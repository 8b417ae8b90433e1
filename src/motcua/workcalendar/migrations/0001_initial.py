import django.db.models.deletion
from django.db import migrations, models

import motcua.workcalendar.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CalendarOverride",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(unique=True, verbose_name="ngày")),
                (
                    "kind",
                    models.CharField(
                        choices=[("day_off", "Ngày nghỉ"), ("working_day", "Ngày làm việc bù")],
                        max_length=16,
                        verbose_name="loại",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        blank=True,
                        help_text="Ví dụ: Nghỉ bù Quốc khánh; Làm bù cho ngày 02/05.",
                        max_length=200,
                        verbose_name="tên / lý do",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
            ],
            options={
                "verbose_name": "ngày nghỉ / làm bù",
                "verbose_name_plural": "ngày nghỉ / làm bù",
                "ordering": ["-date"],
            },
        ),
        migrations.CreateModel(
            name="WorkingSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "periods",
                    models.CharField(
                        default="07:30-11:30,13:00-17:00",
                        help_text="Định dạng HH:MM-HH:MM, cách nhau bởi dấu phẩy, ví dụ 07:30-11:30,13:00-17:00.",
                        max_length=200,
                        validators=[motcua.workcalendar.models._validate_periods],
                        verbose_name="khung giờ làm việc",
                    ),
                ),
                (
                    "weekdays",
                    models.CharField(
                        default="0,1,2,3,4",
                        help_text="0 = thứ Hai … 6 = Chủ nhật, cách nhau bởi dấu phẩy, ví dụ 0,1,2,3,4.",
                        max_length=20,
                        validators=[motcua.workcalendar.models._validate_weekdays],
                        verbose_name="ngày làm việc trong tuần",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="tạo lúc")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                (
                    "unit",
                    models.OneToOneField(
                        blank=True,
                        help_text="Để trống: lịch mặc định của hệ thống. Áp dụng cho cả các đơn vị cấp dưới.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="working_schedule",
                        to="units.unit",
                        verbose_name="đơn vị",
                    ),
                ),
            ],
            options={
                "verbose_name": "lịch làm việc",
                "verbose_name_plural": "lịch làm việc",
                "ordering": ["unit__path"],
            },
        ),
    ]
