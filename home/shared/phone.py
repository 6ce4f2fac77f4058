"""The shop's phone number rule: exactly 10 digits once separators are stripped."""

import re

from django import forms
from django.core.exceptions import ValidationError

SEPARATORS = re.compile(r"[\s\-.()]")
PHONE_ERROR = "Enter a 10-digit phone number, for example 555-123-4567."


def normalize_phone(value):
    """Return the 10 digits of a phone number typed with spaces, dashes, dots or parentheses.

    Raises ValidationError for anything else (letters, a leading +, too few or too many digits).
    """
    digits = SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")
    return digits


def validate_phone(value):
    """Model validator: a stored phone is already normalised to 10 digits."""
    if not re.fullmatch(r"\d{10}", value or ""):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")


class PhoneNumberField(forms.CharField):
    """Form field that accepts common separators and cleans to the 10 digits."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("help_text", "10 digits; spaces, dashes, dots and brackets are fine.")
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return normalize_phone(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        return attrs
