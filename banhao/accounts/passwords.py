"""Password rule on top of Django's: at least three of four character classes."""

import string

from django.contrib.auth import password_validation as _django_validation
from django.core.exceptions import ValidationError


class CharacterClassValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                "密码须至少包含小写字母、大写字母、数字、符号中的%(n)d类。",
                code="password_too_simple",
                params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须至少包含小写字母、大写字母、数字、符号中的{self.min_classes}类。"


class MinimumLengthValidator(_django_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese message (Django 5.2's zh_Hans catalogue lacks its new text)."""

    def get_error_message(self):
        return f"密码太短，至少需要{self.min_length}个字符。"

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"
