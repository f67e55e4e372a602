"""What text typed into dubweb or read from a file may hold: the one rule every form and importer applies.

Any character a person writes is welcome, markup included (pages escape it). Refused: control characters
other than tab and line breaks (no one types them; PostgreSQL refuses NUL outright, and the others break
subtitle files and providers' JSON), lone surrogates (which cannot be stored as UTF-8), noncharacters,
and U+FFFD, which is what bytes that were not UTF-8 become when a request is read.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\ufffd]")


def problem(text, what="The text"):
    """Why `text` cannot be stored ("" when it can), naming the first character in the way."""
    found = _NOT_TEXT.search(text or "")
    if not found:
        return ""
    char = found.group()
    if char == "\ufffd":
        return f"{what} holds U+FFFD, the mark of bytes that were not UTF-8; type or paste it again."
    return f"{what} holds a character that cannot be stored (U+{ord(char):04X}, not text); remove it and try again."


def position(text):
    """Where the first character the rule refuses stands in `text`; None when there is none."""
    found = _NOT_TEXT.search(text or "")
    return found.start() if found else None


def validate(value):
    """A form field's validator: the rule above as a ValidationError."""
    message = problem(value) if isinstance(value, str) else ""  # a field may clean to a number first
    if message:
        raise ValidationError(message, code="not_text")


class TextFieldsMixin:
    """A form whose text fields all follow the rule (password fields aside: they are never stored)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(validate)
