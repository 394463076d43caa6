from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "chuangwen.attachments"
    label = "attachments"
    verbose_name = "附件"

    def ready(self):
        from PIL import Image

        from . import checks  # noqa: F401  (registers the system checks)
        from .validation import MAX_IMAGE_PIXELS

        # Pixel floods: Pillow's process-wide guard at our cap too (default 89 MP), so any
        # image opened anywhere in the process (thumbnails, exports) is bounded the same way.
        Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
