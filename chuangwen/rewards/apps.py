from django.apps import AppConfig


class RewardsConfig(AppConfig):
    name = "chuangwen.rewards"
    label = "rewards"
    verbose_name = "奖惩"
