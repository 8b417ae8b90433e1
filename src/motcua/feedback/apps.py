from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    verbose_name = "Phản ánh, kiến nghị và đánh giá mức độ hài lòng"
    default_auto_field = "django.db.models.BigAutoField"
