"""Password rules beyond Django's own validators (MLPS level 3 and the city's context words)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

_CLASSES = (
    ("小写字母", re.compile(r"[a-z]")),
    ("大写字母", re.compile(r"[A-Z]")),
    ("数字", re.compile(r"[0-9]")),
    ("符号", re.compile(r"[^A-Za-z0-9]")),
)

# Words everybody in the campaign would think of first.  Compared case-insensitively and also
# in pinyin-ish spellings commonly used for passwords.
CONTEXT_WORDS = (
    "文明城市", "创文", "创城", "文明", "chuangwen", "wenming", "chuangcheng", "wmcs", "cwcs",
    "admin", "password", "passw0rd", "qwerty",
)


class CharacterClassValidator:
    def __init__(self, classes: int = 3):
        self.classes = classes

    def validate(self, password, user=None):
        present = sum(1 for _, pattern in _CLASSES if pattern.search(password))
        if present < self.classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.classes} 类。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.classes} 类。"


class ContextWordValidator:
    """Refuse passwords built on the username, the city's name or campaign words."""

    def validate(self, password, user=None):
        lowered = password.lower()
        words = list(CONTEXT_WORDS)
        city = getattr(settings, "CITY_NAME", "")
        if city:
            words += [city, city.removesuffix("市")]
        if user is not None:
            for attr in ("username", "full_name"):
                value = (getattr(user, attr, "") or "").lower()
                if len(value) >= 2:
                    words.append(value)
        for word in words:
            if word and len(word) >= 2 and word.lower() in lowered:
                raise ValidationError(
                    "密码不能包含用户名、姓名、城市名或“文明城市”等常见词。",
                    code="password_context_word",
                )

    def get_help_text(self):
        return "密码不能包含用户名、姓名、城市名或“文明城市”等常见词。"
