"""The test card gateway: checks a card the way a provider would and never charges it.

Card number and CVC only pass through `authorise`: nothing here stores or logs them, and
CardDetails hides them from repr() (so they cannot leak into tracebacks or log lines)."""

import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from commerce.payments.gateways import PaymentDeclined, PaymentGateway, PaymentResult, RefundFailed
from commerce.payments.models import PaymentMethod, PaymentStatus

# Prefix patterns of the card brands the shop recognises, first match wins.
CARD_BRANDS = [
    ("Visa", re.compile(r"4")),
    ("Mastercard", re.compile(r"5[1-5]|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)")),
    ("American Express", re.compile(r"3[47]")),
    ("Discover", re.compile(r"6(011|5)")),
]


CARD_NUMBER_SEPARATORS = re.compile(r"[\s\-]")


@dataclass(frozen=True)
class CardDetails:
    """A card as typed at checkout. Lives only for the request; repr() shows no secrets."""

    number: str = field(repr=False)
    expiry_month: int = field(repr=False)
    expiry_year: int = field(repr=False)
    cvc: str = field(repr=False)

    @property
    def brand(self):
        return card_brand(self.number)

    @property
    def last4(self):
        return self.number[-4:]

    def __repr__(self):
        return f"CardDetails(brand={self.brand!r}, last4={self.last4!r})"


class TestCardGateway(PaymentGateway):
    """A stand-in card processor for development and tests; never charges anyone.

    Accepts any well-formed card (Luhn-valid number, expiry not past, 3-digit CVC or 4 for
    American Express) except DECLINED_NUMBER, which the "bank" always declines.
    """

    __test__ = False  # not a pytest test class, despite the name

    method = PaymentMethod.CARD
    label = "Card"
    takes_card = True
    DECLINED_NUMBER = "4000000000000002"
    TOKEN_PREFIX = "test_"
    DECLINED_MESSAGE = (
        "Your card was declined by the bank. Nothing was charged: try another card, "
        "or choose cash on delivery."
    )

    def authorise(self, amount, reference, card=None):
        if card is None:
            raise PaymentDeclined("Enter your card details.", field="card_number")
        try:
            validate_card(card)
        except ValidationError as error:
            raise PaymentDeclined(error.messages[0], field="card_number") from None
        if card.number == self.DECLINED_NUMBER:
            raise PaymentDeclined(self.DECLINED_MESSAGE, field="card_number")
        return PaymentResult(
            status=PaymentStatus.AUTHORISED,
            token=f"{self.TOKEN_PREFIX}{secrets.token_hex(12)}",
            card_brand=card.brand,
            card_last4=card.last4,
            # The test "bank" captures at once: the order is paid.
            amount_authorised=amount,
            amount_captured=amount,
        )

    def refund(self, token, amount, idempotency_key):
        if not token.startswith(self.TOKEN_PREFIX):
            raise RefundFailed(f"The test gateway issued no payment “{token}”.")
        return f"{self.TOKEN_PREFIX}refund_{idempotency_key}"


def luhn_valid(number):
    """True when the digits of `number` pass the Luhn checksum every card number carries."""
    if not number.isdigit():
        return False
    checksum = 0
    for position, digit in enumerate(int(char) for char in reversed(number)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        checksum += digit
    return checksum % 10 == 0


def card_brand(number):
    for brand, prefix in CARD_BRANDS:
        if prefix.match(number):
            return brand
    return "Card"


def clean_card_number(value):
    """The digits of a card number typed with or without spaces or dashes."""
    number = CARD_NUMBER_SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{12,19}", number):
        raise ValidationError("Enter the 12 to 19 digits of your card number.", code="format")
    if not luhn_valid(number):
        raise ValidationError(
            "That card number is not valid. Check it for typing mistakes.", code="luhn"
        )
    return number


def clean_expiry(value, today=None):
    """(month, year) of an expiry typed as MM/YY or MM/YYYY; refused once the month is over."""
    match = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", value or "")
    if not match or not 1 <= int(match[1]) <= 12:
        raise ValidationError("Enter the expiry date as MM/YY, for example 04/29.", code="format")
    month, year = int(match[1]), int(match[2])
    if year < 100:
        year += 2000
    today = today or timezone.localdate()
    if (year, month) < (today.year, today.month):
        raise ValidationError("This card has expired.", code="expired")
    return month, year


def clean_cvc(value, number=""):
    """The security code: 4 digits for American Express, 3 for other cards."""
    digits = 4 if card_brand(number) == "American Express" else 3
    if not re.fullmatch(rf"\d{{{digits}}}", (value or "").strip()):
        raise ValidationError(
            f"Enter the {digits}-digit security code (CVC) from your card.", code="format"
        )
    return value.strip()


def validate_card(card):
    """Raise ValidationError if `card` (CardDetails) is not a well-formed, unexpired card."""
    clean_card_number(card.number)
    clean_expiry(f"{card.expiry_month}/{card.expiry_year}")
    clean_cvc(card.cvc, card.number)
