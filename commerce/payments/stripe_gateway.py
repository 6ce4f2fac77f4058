"""Card payments through Stripe, with the card typed into Stripe's own fields (Stripe.js).

The card number and security code go from the shopper's browser straight to Stripe: the shop
only ever sees a PaymentIntent, its status and the card's brand and last four digits. The
flow (commerce.checkout.stripe_payment): the server creates the PaymentIntent for the order's
own total (`create_intent`); the pay page confirms it with Stripe.js, which also runs the
bank's authentication step (3-D Secure); the return page and Stripe's webhook both read the
intent back (`retrieve_intent`, or the event's copy) and settle the order once.

Configured by STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY, STRIPE_API_BASE and STRIPE_JS_URL.
"""

import logging
from dataclasses import dataclass

import stripe
from django.conf import settings

from commerce.payments.gateways import PaymentDeclined, PaymentGateway, PaymentResult, RefundFailed
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.pricing import from_minor_units, minor_units

logger = logging.getLogger(__name__)

UNREACHABLE_MESSAGE = (
    "The card payment service could not be reached, so nothing was charged. Your order is "
    "still reserved: try again in a moment."
)
UNAVAILABLE_MESSAGE = (
    "Card payments are not available just now, so nothing was charged. Try again later, or go "
    "back to your cart and choose cash on delivery."
)
DECLINED_MESSAGE = (
    "Your card was declined{reason}. Nothing was charged: try another card, or go back to "
    "your cart and choose cash on delivery."
)
AUTHENTICATION_FAILED_MESSAGE = (
    "Your bank could not confirm this payment, so nothing was charged. Try again, or use "
    "another card."
)
AUTHENTICATE_MESSAGE = "Your bank asks you to confirm this payment: pay again to continue."

# What an intent's status means for the order (intent_outcome).
PAID = "paid"
DECLINED = "declined"
AUTHENTICATE = "authenticate"
NOT_PAID_YET = "not paid yet"
PROCESSING = "processing"
CANCELED = "canceled"


class PaymentProviderUnavailable(PaymentDeclined):
    """Stripe could not be asked (no connection, or it refused our request): nothing was
    charged. The message is for the shopper."""


@dataclass(frozen=True)
class IntentOutcome:
    """What a PaymentIntent's status means for the shop, with a sentence for the shopper."""

    state: str
    message: str = ""


def intent_outcome(intent):
    """The IntentOutcome of `intent` (a stripe.PaymentIntent or its event copy)."""
    status = intent["status"]
    if status == "succeeded":
        return IntentOutcome(PAID)
    if status in ("requires_action", "requires_confirmation"):
        return IntentOutcome(AUTHENTICATE, AUTHENTICATE_MESSAGE)
    if status == "processing":
        return IntentOutcome(PROCESSING, "Your payment is being processed.")
    if status == "canceled":
        return IntentOutcome(CANCELED)
    error = intent.get("last_payment_error") or None
    if error:
        if error.get("code") == "payment_intent_authentication_failure":
            return IntentOutcome(DECLINED, AUTHENTICATION_FAILED_MESSAGE)
        reason = (error.get("message") or "").rstrip(".")
        return IntentOutcome(
            DECLINED, DECLINED_MESSAGE.format(reason=f" ({reason})" if reason else "")
        )
    return IntentOutcome(NOT_PAID_YET)


class StripeGateway(PaymentGateway):
    """Stripe PaymentIntents, confirmed in the browser by Stripe.js and Elements."""

    method = PaymentMethod.CARD
    label = "Card"
    takes_card = False  # Stripe's fields take it, on Stripe's page frame
    calls_provider = True
    pays_on_payment_page = True

    def __init__(self):
        self.client = stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses={"api": settings.STRIPE_API_BASE},
            max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2),
        )

    @property
    def publishable_key(self):
        return settings.STRIPE_PUBLISHABLE_KEY

    def authorise(self, amount, reference, card=None):
        # Cards are never posted to the shop: the pay page confirms the intent with Stripe.js.
        raise PaymentDeclined("Enter your card in the card field of the payment page.")

    def create_intent(self, amount, *, order_id, order_number, idempotency_key):
        """A new PaymentIntent for `amount` (Decimal) in the shop's currency, linked to the
        order by its metadata. Asking again with the same `idempotency_key` returns the same
        intent, so a page loaded twice never makes two."""
        return self._call(
            self.client.v1.payment_intents.create,
            params={
                "amount": minor_units(amount),
                "currency": settings.SHOP_CURRENCY.lower(),
                "payment_method_types": ["card"],
                "metadata": {"order_id": str(order_id), "order_number": order_number},
            },
            options={"idempotency_key": idempotency_key},
        )

    def retrieve_intent(self, intent_id):
        """The PaymentIntent `intent_id` as Stripe has it now, its card expanded."""
        return self._call(
            self.client.v1.payment_intents.retrieve,
            intent_id,
            params={"expand": ["payment_method"]},
        )

    def payment_result(self, intent):
        """The PaymentResult of a succeeded `intent`: what the order keeps of the payment."""
        card = self.card_of(intent)
        amount = from_minor_units(intent.get("amount_received") or intent["amount"],
                                  intent["currency"])
        return PaymentResult(
            status=PaymentStatus.AUTHORISED,
            token=intent["id"],
            card_brand=(card.get("brand") or "").title()[:20],
            card_last4=(card.get("last4") or "")[:4],
            amount_authorised=amount,
            amount_captured=amount,
        )

    def card_of(self, intent):
        """The card (brand, last4) that paid `intent`, wherever the intent carries it: its
        payment method expanded (the return page asks for it), or its latest charge's
        payment details. A webhook's copy names the payment method only, so it is asked
        for; if Stripe cannot answer, the order is still settled, without the card."""
        payment_method = intent.get("payment_method")
        if isinstance(payment_method, dict) and payment_method.get("card"):
            return payment_method["card"]
        charge = intent.get("latest_charge")
        details = charge.get("payment_method_details") if isinstance(charge, dict) else None
        if details and details.get("card"):
            return details["card"]
        if not isinstance(payment_method, str) or not payment_method:
            return {}
        try:
            return self._call(self.client.v1.payment_methods.retrieve, payment_method).get(
                "card") or {}
        except PaymentDeclined:
            logger.warning("Could not read the card of Stripe payment %s", intent["id"])
            return {}

    def void(self, result):
        """Give back a payment whose order could not take it: cancel the intent if nothing
        was charged yet, refund it in full if it was."""
        key = f"void-{result.token}"
        try:
            intent = self.retrieve_intent(result.token)
            if intent["status"] == "succeeded" and not self._refunded_with(result.token, key):
                self.refund(result.token, result.amount_captured, idempotency_key=key)
            elif intent["status"] != "canceled":
                self._call(self.client.v1.payment_intents.cancel, result.token)
        except (PaymentDeclined, RefundFailed):
            logger.exception("Could not void Stripe payment %s: give it back from Stripe's "
                             "dashboard", result.token)

    def _refunded_with(self, intent_id, idempotency_key):
        """True if a refund of the intent was made with this key (the return and the webhook
        both giving back a late payment; Stripe forgets idempotency keys after a day)."""
        refunds = self._call(
            self.client.v1.refunds.list, params={"payment_intent": intent_id, "limit": 100}
        )
        return any(
            (refund.get("metadata") or {}).get("idempotency_key") == idempotency_key
            for refund in refunds["data"]
        )

    def cancel_intent(self, intent_id):
        """Cancel an intent nothing was charged on (an order released before it was paid)."""
        self._call(self.client.v1.payment_intents.cancel, intent_id)

    def refund(self, token, amount, idempotency_key):
        """Refund `amount` (Decimal, all or part of what was captured) of the intent `token`.
        The key makes a repeated request give the money back once; it is also kept in the
        refund's metadata, so Stripe's charge.refunded event is matched to the shop's own
        record instead of being counted twice."""
        try:
            refund = self.client.v1.refunds.create(
                params={
                    "payment_intent": token,
                    "amount": minor_units(amount),
                    "metadata": {"idempotency_key": idempotency_key},
                },
                options={"idempotency_key": idempotency_key},
            ).to_dict()
        except stripe.APIConnectionError as error:
            # Not a refusal: the refund stays pending and is asked again with the same key.
            raise ConnectionError(f"Stripe could not be reached: {error}") from error
        except stripe.StripeError as error:
            raise RefundFailed(
                f"Stripe refused the refund: {error.user_message or error}"
            ) from error
        if refund.get("status") == "failed":
            raise RefundFailed("Stripe could not give the payment back (refund failed).")
        return refund["id"]

    def _call(self, method, *args, **kwargs):
        """`method`'s answer as a plain dict (what a webhook event carries too), or a
        PaymentDeclined for the shopper."""
        try:
            return method(*args, **kwargs).to_dict()
        except stripe.APIConnectionError:
            logger.warning("Stripe could not be reached", exc_info=True)
            raise PaymentProviderUnavailable(UNREACHABLE_MESSAGE) from None
        except stripe.CardError as error:
            reason = (error.user_message or "").rstrip(".")
            raise PaymentDeclined(
                DECLINED_MESSAGE.format(reason=f" ({reason})" if reason else "")
            ) from None
        except stripe.StripeError:
            logger.exception("Stripe refused a request")
            raise PaymentProviderUnavailable(UNAVAILABLE_MESSAGE) from None
