from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "chuangwen.problems"
    label = "problems"
    verbose_name = "问题整改"

    def ready(self):
        from chuangwen.attachments.access import register

        from . import checks, selectors  # noqa: F401 (checks registers the system checks)

        # Before and after photos are seen by whoever sees the problem (the same selector as the
        # pages); the citizen's public tracking page serves its own stripped copies.
        def can_view(user, owner_id):
            return selectors.problems_visible_to(user).filter(pk=owner_id).exists()

        register("problems.before", "问题照片", can_view)
        register("problems.after", "整改后照片", can_view)
