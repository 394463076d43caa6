from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def notification_channels_load(app_configs, **kwargs):
    """Each name in CHUANGWEN_NOTIFY_CHANNELS must load, or the daily digest would fail at night."""
    from django.conf import settings

    from .channels import load_channel

    errors = []
    for spec in getattr(settings, "NOTIFY_CHANNELS", []):
        try:
            load_channel(spec)
        except ImproperlyConfigured as exc:
            errors.append(Error(
                str(exc), hint="CHUANGWEN_NOTIFY_CHANNELS takes inapp, log, outbox or dotted paths "
                "to chuangwen.notifications.channels.Channel subclasses.", id="notifications.E001",
            ))
    return errors
