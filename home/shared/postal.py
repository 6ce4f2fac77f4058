"""Postal addresses, structured so that other countries can follow: the US states (from
django-localflavor), the ZIP rule, and the one way an address is printed."""

from django import forms
from django.core.validators import RegexValidator
from django.db import models
from localflavor.us.models import USStateField
from localflavor.us.us_states import STATES_NORMALIZED, USPS_CHOICES

# ISO 3166-1 alpha-2 codes of the countries the shop delivers to.
COUNTRY_CHOICES = [("US", "United States")]
DEFAULT_COUNTRY = "US"

validate_zip_code = RegexValidator(
    r"^\d{5}(-\d{4})?$",
    message="Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789.",
    code="invalid_zip_code",
)

# The fields every stored address has, in the order they are typed.
ADDRESS_FIELDS = ["address", "address_line2", "city", "state", "zip_code", "country"]

# Form widgets of those fields, so browsers fill them in from the shopper's saved details.
ADDRESS_WIDGETS = {
    "address": forms.TextInput(attrs={"autocomplete": "address-line1"}),
    "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
    "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
    "state": forms.Select(attrs={"autocomplete": "address-level1"}),
    "zip_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
    "country": forms.Select(attrs={"autocomplete": "country"}),
}


def state_name(code):
    """The name of the US state (or territory) with USPS code `code`, or `code` itself."""
    return str(dict(USPS_CHOICES).get(code, code))


def state_code(text):
    """The USPS code of a state typed as a name or a code in any case ("california",
    "Calif.", "ca", "CA"), or None when it names no state."""
    cleaned = " ".join((text or "").replace(".", " ").split()).lower()
    return STATES_NORMALIZED.get(cleaned)


def postal_lines(address, city, state, zip_code, address_line2="", country=DEFAULT_COUNTRY,
                 **_other):
    """The lines an address is printed in everywhere (pages, emails, invoices, admin):
    street, second line if any, then "City, State name 12345", then the country if not US."""
    lines = [address]
    if address_line2:
        lines.append(address_line2)
    lines.append(" ".join(part for part in (f"{city},", state_name(state), zip_code) if part))
    if country and country != DEFAULT_COUNTRY:
        lines.append(dict(COUNTRY_CHOICES).get(country, country))
    return lines


class PostalAddress(models.Model):
    """The structured fields of a delivery address (abstract)."""

    address = models.CharField("address line 1", max_length=255)
    address_line2 = models.CharField(
        "address line 2", max_length=255, blank=True,
        help_text="Apartment, suite, unit, building (optional).",
    )
    city = models.CharField(max_length=100)
    state = USStateField()
    zip_code = models.CharField("ZIP code", max_length=10, validators=[validate_zip_code])
    country = models.CharField(
        max_length=2, choices=COUNTRY_CHOICES, default=DEFAULT_COUNTRY,
        help_text="ISO 3166 country code.",
    )

    class Meta:
        abstract = True

    @property
    def postal_lines(self):
        return postal_lines(**{name: getattr(self, name) for name in ADDRESS_FIELDS})

    @property
    def state_name(self):
        return state_name(self.state)
