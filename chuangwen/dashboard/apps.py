from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "chuangwen.dashboard"
    label = "dashboard"
    verbose_name = "指挥中心"
