"""System checks: uploaded files must stay outside everything served as static files."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(path: Path, other: Path) -> bool:
    return path == other or other in path.parents


@register()
def attachment_settings(app_configs, **kwargs):
    errors = []
    max_mb = getattr(settings, "ATTACHMENT_MAX_MB", None)
    if not isinstance(max_mb, (int, float)) or max_mb <= 0:
        errors.append(Error(
            f"ATTACHMENT_MAX_MB must be a positive number, got {max_mb!r}",
            hint="Set CHUANGWEN_ATTACHMENT_MAX_MB (default 20).", id="attachments.E001",
        ))
    photo_mb = getattr(settings, "PHOTO_MAX_MB", None)
    if not isinstance(photo_mb, (int, float)) or photo_mb <= 0:
        errors.append(Error(
            f"PHOTO_MAX_MB must be a positive number, got {photo_mb!r}",
            hint="Set CHUANGWEN_PHOTO_MAX_MB (default 10).", id="attachments.E004",
        ))
    if not settings.MEDIA_ROOT:
        errors.append(Error("MEDIA_ROOT is not set", id="attachments.E002"))
        return errors
    media = Path(settings.MEDIA_ROOT).resolve()
    served = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    served += [Path(d[1] if isinstance(d, (list, tuple)) else d) for d in settings.STATICFILES_DIRS]
    for folder in served:
        folder = folder.resolve()
        if _inside(media, folder) or _inside(folder, media):
            errors.append(Error(
                f"MEDIA_ROOT ({media}) overlaps a static files folder ({folder})",
                hint="Uploaded files must never be reachable as static files.", id="attachments.E003",
            ))
    return errors
