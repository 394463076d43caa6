from django.conf import settings
from django.core.checks import Error, register
from django.db import DatabaseError

DEFAULT_NAMES = {"admin", "root", "test", "guest", "administrator"}


@register()
def no_superusers_outside_development(app_configs, **kwargs):
    """Superusers bypass the role table and 三员分立: allowed only with DEBUG on."""
    if settings.DEBUG:
        return []
    from .models import User

    try:
        names = list(User.objects.filter(is_superuser=True, is_active=True).values_list("username", flat=True)[:5])
        defaults = list(
            User.objects.filter(is_active=True, username__in=DEFAULT_NAMES).values_list("username", flat=True)
        )
    except (DatabaseError, RuntimeError):
        return []  # not migrated yet, or database access not allowed here (test collection)
    errors = []
    if names:
        errors.append(Error(
            f"Active superuser accounts exist outside development: {', '.join(names)}",
            hint="Disable them; administrators work through the sysadmin/secadmin/auditor roles.",
            id="chuangwen.E001",
        ))
    if defaults:
        errors.append(Error(
            f"Active accounts with default names exist: {', '.join(defaults)}",
            hint="Rename or disable default accounts.",
            id="chuangwen.E002",
        ))
    return errors
