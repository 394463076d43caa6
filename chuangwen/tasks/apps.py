from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "chuangwen.tasks"
    label = "tasks"
    verbose_name = "任务督办"

    def ready(self):
        from chuangwen.attachments.access import register

        from . import selectors

        # A file of a progress update, a handover or a plan is seen by whoever sees its task
        # (or plan): the same selectors as the pages.
        register("tasks.progress", "进度报送", selectors.progress_update_visible)
        register("tasks.handover", "交账", selectors.handover_visible)
        register("tasks.plan", "工作方案", selectors.plan_visible)
