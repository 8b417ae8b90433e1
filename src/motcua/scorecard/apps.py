from django.apps import AppConfig


class ScorecardConfig(AppConfig):
    name = "motcua.scorecard"
    label = "scorecard"
    verbose_name = "Bộ chỉ số 766"
