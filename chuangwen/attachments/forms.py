"""A form field for several uploaded files at once, checked file by file as the form is
validated (the message shows next to the field); the service checks again before storing."""

from django import forms
from django.core.exceptions import ValidationError

from .photos import MAX_PHOTOS, PHOTO_KINDS, validate_photo
from .services import MAX_FILES
from .validation import ALL_KINDS, KINDS, validate_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented multi-file pattern, plus content checks and a count cap.

        files = MultipleFileField(label="附件", required=False)
        photos = MultipleFileField(label="照片", kinds=IMAGE_KINDS, max_files=9)

    `cleaned_data[name]` is a list of uploaded files (empty when none were chosen).
    """

    def __init__(self, *args, kinds=ALL_KINDS, max_files: int = MAX_FILES, **kwargs):
        self.kinds = frozenset(kinds)
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)
        # The picker offers the allowed extensions (a hint only: the server decides by content).
        accept = ",".join(f".{ext}" for code in KINDS if code in self.kinds for ext in KINDS[code].extensions)
        self.widget.attrs.setdefault("accept", accept)

    def check_file(self, f) -> None:
        validate_upload(f, kinds=self.kinds)

    def count_error(self, count: int) -> ValidationError:
        return ValidationError(f"一次最多上传 {self.max_files} 个文件,您选择了 {count} 个。", code="count")

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [f for f in files if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise self.count_error(len(files))
        cleaned, errors = [], []
        for f in files:
            try:
                self.check_file(f)  # first: its messages name the file
                cleaned.append(super().clean(f, initial))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


class PhotoField(MultipleFileField):
    """Several photos (JPEG, PNG, WebP; PHOTO_MAX_MB each; at most nine), checked as the form
    validates; the service (`photos_store`) re-encodes them.

        photos = PhotoField(label="现场照片")
    """

    def __init__(self, *args, max_files: int = MAX_PHOTOS, **kwargs):
        super().__init__(*args, kinds=PHOTO_KINDS, max_files=max_files, **kwargs)
        # MIME types first, JPEG leading: Safari on macOS then converts a HEIC photo to JPEG
        # (iOS converts whatever `accept` says); HEIC itself is refused by content.
        mime = ",".join(KINDS[code].content_type for code in KINDS if code in PHOTO_KINDS)
        self.widget.attrs["accept"] = f"{mime},{self.widget.attrs['accept']}"

    def check_file(self, f) -> None:
        validate_photo(f)

    def count_error(self, count: int) -> ValidationError:
        return ValidationError(f"一次最多上传 {self.max_files} 张照片,您选择了 {count} 张。", code="count")
