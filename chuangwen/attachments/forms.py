"""A form field for several uploaded files at once, checked file by file as the form is
validated (the message shows next to the field); the service checks again before storing."""

from django import forms
from django.core.exceptions import ValidationError

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

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [f for f in files if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(f"一次最多上传 {self.max_files} 个文件,您选择了 {len(files)} 个。", code="count")
        cleaned, errors = [], []
        for f in files:
            try:
                validate_upload(f, kinds=self.kinds)  # first: its messages name the file
                cleaned.append(super().clean(f, initial))
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned
