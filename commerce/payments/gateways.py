"""How customers pay: the payment gateway interface and the configured gateways.

A gateway authorises an amount and answers with a PaymentResult (status, the gateway's token,
card brand and last four digits) or raises PaymentDeclined. The built-in gateways are one
module each: commerce.payments.cash_on_delivery and commerce.payments.testcard. Refunds go
through the gateway that took the payment (commerce.payments.refunds).

To take real payments, implement PaymentGateway (authorise, void and refund) for your
provider and point the shop at it:

    SHOP_PAYMENT_GATEWAYS = {
        "card": "myshop.gateways.ProviderGateway",
        "cod": "commerce.payments.cash_on_delivery.CashOnDelivery",
    }

The keys are PaymentMethod values; the order of the entries is the order shown at checkout.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from commerce.payments.models import PaymentMethod

DEFAULT_GATEWAYS = {
    PaymentMethod.CARD: "commerce.payments.testcard.TestCardGateway",
    PaymentMethod.CASH_ON_DELIVERY: "commerce.payments.cash_on_delivery.CashOnDelivery",
}


class PaymentDeclined(Exception):
    """The payment was refused. The message is for the customer; `field` is the form field."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class RefundFailed(Exception):
    """The provider would not give a payment back; str() is a sentence for staff."""


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
    # and pays after that transaction commits (commerce.checkout.payment_flow), so no row lock
    # is held while the provider answers. False (cash on delivery) authorises inside the
    # checkout transaction, and must not call anything outside the shop.
    calls_provider = True
    # True when the shopper pays on the order's pay page, in the provider's own fields
    # (Stripe.js): checkout then only reserves the stock and sends the shopper there.
    pays_on_payment_page = False

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
