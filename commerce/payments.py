"""How customers pay: a small gateway interface and the two built-in payment methods.

A gateway authorises an amount and answers with a PaymentResult (status, the gateway's token,
card brand and last four digits) or raises PaymentDeclined. Card number and CVC only pass
through `authorise`: nothing here stores or logs them, and CardDetails hides them from repr()
(so they cannot leak into tracebacks or log lines).

The amounts a gateway answers with (authorised, captured) are stored on the order's
CheckoutDetail, and a refund never gives back more than was captured less what was refunded.
Cancelling an order gives its payment back in three steps (see commerce.order_status): a
Refund is recorded as pending with an idempotency key and committed (`pending_refund`), the
gateway's refund() is called with that key (`issue_refund`), and the refund is settled with
the cancellation (`settle_refund`). If anything fails after the gateway answered, the next
attempt asks again with the same key, which a provider answers without paying twice.

To take real payments, implement PaymentGateway (authorise, void and refund) for your
provider and point the shop at it:

    SHOP_PAYMENT_GATEWAYS = {
        "card": "myshop.gateways.ProviderGateway",
        "cod": "commerce.payments.CashOnDelivery",
    }

The keys are PaymentMethod values; the order of the entries is the order shown at checkout.
"""

import re
import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from wagtail.log_actions import log

from .models import CheckoutDetail, PaymentMethod, PaymentStatus, Refund, RefundStatus

LOG_ACTION_REFUND = "commerce.refund"
LOG_ACTION_REFUND_FAILED = "commerce.refund_failed"

DEFAULT_GATEWAYS = {
    PaymentMethod.CARD: "commerce.payments.TestCardGateway",
    PaymentMethod.CASH_ON_DELIVERY: "commerce.payments.CashOnDelivery",
}

# Prefix patterns of the card brands the shop recognises, first match wins.
CARD_BRANDS = [
    ("Visa", re.compile(r"4")),
    ("Mastercard", re.compile(r"5[1-5]|2(22[1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)")),
    ("American Express", re.compile(r"3[47]")),
    ("Discover", re.compile(r"6(011|5)")),
]
CARD_NUMBER_SEPARATORS = re.compile(r"[\s\-]")


class PaymentDeclined(Exception):
    """The payment was refused. The message is for the customer; `field` is the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class RefundFailed(Exception):
    """The provider would not give a payment back; str() is a sentence for staff."""


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


@dataclass(frozen=True)
class PaymentResult:
    """What an order keeps of a payment: never the card number or CVC."""

    status: str
    token: str = ""
    card_brand: str = ""
    card_last4: str = ""
    amount_authorised: Decimal = Decimal("0.00")
    amount_captured: Decimal = Decimal("0.00")


class PaymentGateway:
    """A way to pay. Subclasses set `method`, `label`, `takes_card` and implement authorise()."""

    method = None
    label = ""
    takes_card = False
    # True when authorise() asks a payment provider: checkout then reserves the stock first
    # and pays after that transaction commits (commerce.payment_flow), so no row lock is held
    # while the provider answers. False (cash on delivery) authorises inside the checkout
    # transaction, and must not call anything outside the shop.
    calls_provider = True

    def authorise(self, amount, reference, card=None):
        """Authorise `amount` (Decimal) for the order `reference`.

        Returns a PaymentResult, or raises PaymentDeclined with a message for the customer.
        """
        raise NotImplementedError

    def void(self, result):
        """Cancel an authorisation whose order could not be placed after all."""

    def refund(self, token, amount, idempotency_key):
        """Give back `amount` (Decimal) of the payment `token`, for an order that was cancelled:
        void the authorisation or refund the charge, whichever the provider needs.

        `idempotency_key` is the same on every attempt at one refund: pass it to the
        provider, which must then give the money back once however often it is asked.
        Returns the provider's reference for the refund; raises RefundFailed with a sentence
        for staff if the provider refuses.
        """
        raise NotImplementedError


class CashOnDelivery(PaymentGateway):
    """Nothing to authorise: the courier collects the money; the payment stays pending."""

    method = PaymentMethod.CASH_ON_DELIVERY
    label = "Cash on delivery"
    calls_provider = False

    def authorise(self, amount, reference, card=None):
        return PaymentResult(status=PaymentStatus.PENDING)

    def refund(self, token, amount, idempotency_key):
        """Nothing was taken through a gateway: cash collected is handed back by staff."""
        return ""


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


def configured_gateways():
    """{payment method: gateway} in the order customers see them."""
    paths = getattr(settings, "SHOP_PAYMENT_GATEWAYS", DEFAULT_GATEWAYS)
    return {PaymentMethod(method): import_string(path)() for method, path in paths.items()}


def get_gateway(method):
    gateways = configured_gateways()
    if method not in gateways:
        raise PaymentDeclined("Choose one of the payment methods offered.", field="payment_method")
    return gateways[method]


def payment_method_choices():
    return [(method.value, gateway.label) for method, gateway in configured_gateways().items()]


def record_cash_collected(order):
    """Record that the courier collected a cash-on-delivery payment of `order` (marked paid by
    staff), so its invoice and pages no longer show the payment as pending."""
    CheckoutDetail.objects.filter(
        order=order,
        payment_method=PaymentMethod.CASH_ON_DELIVERY,
        payment_status=PaymentStatus.PENDING,
    ).update(payment_status=PaymentStatus.PAID, amount_captured=order.total)


def pending_refund(order):
    """The pending Refund of `order`'s gateway payment, recorded now if there is none yet, or
    None when nothing is left to give back (cash on delivery, or refunded already).

    Commits before returning, so the refund and its idempotency key are on record before the
    gateway is asked. A refund left pending by an earlier attempt is returned as it is: asking
    again with its key cannot pay twice. Raises RefundFailed if no gateway takes the payment's
    method any more.
    """
    with transaction.atomic():
        detail = CheckoutDetail.objects.select_for_update().filter(order=order).first()
        if detail is None:
            return None
        pending = detail.refunds.filter(status=RefundStatus.PENDING).first()
        if pending is not None:
            return pending
        amount = detail.refundable_amount
        if detail.payment_status != PaymentStatus.AUTHORISED or amount <= 0:
            return None
        _gateway_for(detail)
        return Refund.objects.create(
            order=order, payment=detail, amount=amount, idempotency_key=uuid.uuid4().hex
        )


def issue_refund(refund, *, user=None):
    """Ask the gateway to give back `refund` (pending), with its idempotency key; call it
    outside any transaction. Returns the provider's reference.

    A refusal marks the refund failed, logs it on the order, and raises RefundFailed: nothing
    was given back, so a later attempt starts a new refund. Any other error leaves the refund
    pending, to be asked again with the same key.
    """
    detail = refund.payment
    try:
        return _gateway_for(detail).refund(
            detail.payment_token, refund.amount, idempotency_key=refund.idempotency_key
        )
    except RefundFailed as failure:
        with transaction.atomic():
            refund.status = RefundStatus.FAILED
            refund.failure_reason = str(failure)[:255]
            refund.settled_at = timezone.now()
            refund.save(update_fields=["status", "failure_reason", "settled_at"])
            log(
                refund.order,
                LOG_ACTION_REFUND_FAILED,
                user=user,
                data={"amount": str(refund.amount), "reason": str(failure)},
            )
        raise


def settle_refund(refund, provider_reference, *, user=None):
    """Record that the gateway gave `refund` back: the payment's refunded amount goes up (and
    its status becomes refunded once nothing is left), and the order's history says so.
    Call inside the transaction that cancels the order; settling twice changes nothing.
    """
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    detail = CheckoutDetail.objects.select_for_update().get(pk=refund.payment_id)
    refund.status = RefundStatus.SUCCEEDED
    refund.provider_reference = provider_reference or ""
    refund.settled_at = timezone.now()
    refund.save(update_fields=["status", "provider_reference", "settled_at"])
    detail.amount_refunded += refund.amount
    if detail.refundable_amount <= 0:
        detail.payment_status = PaymentStatus.REFUNDED
    detail.save(update_fields=["amount_refunded", "payment_status"])
    log(
        refund.order,
        LOG_ACTION_REFUND,
        user=user,
        data={"amount": str(refund.amount), "reference": refund.provider_reference},
    )
    return refund


def _gateway_for(detail):
    gateway = configured_gateways().get(detail.payment_method)
    if gateway is None:
        raise RefundFailed(
            f"No gateway is configured for {detail.get_payment_method_display().lower()} "
            "payments any more, so the payment could not be given back."
        )
    return gateway
