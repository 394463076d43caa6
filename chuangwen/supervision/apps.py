from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "chuangwen.supervision"
    label = "supervision"
    verbose_name = "督查督办"

    def ready(self):
        from chuangwen.attachments.access import register

        from . import selectors

        # An instruction's source document and a meeting's minutes are seen by whoever sees the
        # instruction or the meeting (the same selectors as the pages).
        register("supervision.instruction", "批示来文", selectors.instruction_file_visible)
        register("supervision.meeting", "会议纪要", selectors.minutes_visible)
