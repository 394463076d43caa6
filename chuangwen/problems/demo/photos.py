"""The demo's photos: small JPEGs drawn on the spot (a grey scene with a coloured patch), prepared
once through the attachments app's checks and stored by the services like any upload.  Only
where a service needs one: a citizen's report (随手拍 needs a photo) and every 整改完成 (an after
photo is required to submit and to close)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangwen.attachments.photos import PreparedPhoto, prepare_photo

# (background, patch): a few scenes, so that not every photo is the same file.
_SCENES = (
    ((150, 150, 140), (90, 110, 60)),
    ((170, 165, 150), (140, 70, 40)),
    ((120, 130, 140), (200, 190, 60)),
    ((160, 170, 160), (60, 90, 150)),
)


def jpeg_bytes(scene: int, size: tuple[int, int] = (160, 120)) -> bytes:
    from PIL import Image, ImageDraw

    background, patch = _SCENES[scene % len(_SCENES)]
    image = Image.new("RGB", size, background)
    w, h = size
    ImageDraw.Draw(image).rectangle((w // 4, h // 3, w * 3 // 4, h * 5 // 6), fill=patch)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


class Photos:
    """Prepared once, handed to the services many times (identical files share one blob)."""

    def __init__(self):
        self.before = [self._prepare(f"现场{i + 1}.jpg", i, evidence=False) for i in range(2)]
        self.after = [self._prepare(f"整改后{i + 1}.jpg", i + 2, evidence=True) for i in range(2)]

    @staticmethod
    def _prepare(name: str, scene: int, *, evidence: bool) -> PreparedPhoto:
        upload = SimpleUploadedFile(name, jpeg_bytes(scene), content_type="image/jpeg")
        # Staff photos are prepared keeping evidence (the services insist); these carry no EXIF.
        return prepare_photo(upload, keep_evidence=evidence)

    def citizen(self, n: int) -> list[PreparedPhoto]:
        return [self.before[n % len(self.before)]]

    def rectified(self, n: int) -> list[PreparedPhoto]:
        return [self.after[n % len(self.after)]]
