from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "chuangwen.evaluation"
    label = "evaluation"
    verbose_name = "考评"
