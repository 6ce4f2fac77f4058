"""Stripe's events (webhooks), once each: a paid intent settles its order, a declined one is
noted in the order's history, and a refund made in Stripe's dashboard is recorded.

The view (commerce.checkout.stripe_views.stripe_webhook) checks the signature; `handle_event`
then claims the event id (commerce.payments.models.ProviderEvent) so a repeated delivery is a
no-op, and handles it from the event's own copy of the object, without asking Stripe again,
so Stripe gets its answer quickly. Events may come in any order: settling is idempotent, a
failed payment never undoes a paid order, and refunds are counted from the charge's running
total of what was refunded.
"""

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.stripe_payment import record_failed_payment, settle_intent
from commerce.orders.models import Order
from commerce.payments.gateways import configured_gateways
from commerce.payments.models import (
    PaymentMethod,
    PaymentStatus,
    ProviderEvent,
    Refund,
    RefundStatus,
)
from commerce.payments.refunds import LOG_ACTION_REFUND
from commerce.pricing import apply_refund, from_minor_units, sum_money

logger = logging.getLogger(__name__)

PROVIDER = "stripe"


def handle_event(event):
    """Handle one verified Stripe event; False if it was handled before (nothing changes)."""
    try:
        with transaction.atomic():
            claim = ProviderEvent.objects.create(
                provider=PROVIDER, event_id=event["id"], event_type=event["type"]
            )
    except IntegrityError:
        return False
    handler = HANDLERS.get(event["type"])
    if handler is None:
        return True
    try:
        handler(event["data"]["object"])
    except Exception:
        # Let Stripe deliver it again: the claim goes, so the retry is handled.
        claim.delete()
        raise
    return True


def _order_of(intent):
    order_id = (intent.get("metadata") or {}).get("order_id")
    order = Order.objects.filter(pk=order_id).first() if str(order_id or "").isdigit() else None
    if order is None:
        logger.warning("Stripe payment %s names no order of this shop", intent["id"])
    return order


def payment_succeeded(intent):
    order = _order_of(intent)
    if order is not None:
        settle_intent(order, intent, configured_gateways()[PaymentMethod.CARD])


def payment_failed(intent):
    order = _order_of(intent)
    if order is not None:
        record_failed_payment(order, intent)


def charge_refunded(charge):
    """Record what Stripe refunded on `charge` beyond the refunds the shop knows of (made in
    Stripe's dashboard). The shop's own refunds, pending or done, are already counted."""
    with transaction.atomic():
        detail = (
            CheckoutDetail.objects.select_for_update()
            .filter(payment_token=charge.get("payment_intent") or "")
            .first()
        )
        if detail is None:
            return
        refunded_at_stripe = from_minor_units(charge["amount_refunded"], charge["currency"])
        known = sum_money(
            refund.amount for refund in detail.refunds.exclude(status=RefundStatus.FAILED)
        )
        totals = apply_refund(
            detail.amount_captured, detail.amount_refunded, refunded_at_stripe - known
        )
        if totals.added <= 0:
            return
        Refund.objects.create(
            order_id=detail.order_id,
            payment=detail,
            amount=totals.added,
            status=RefundStatus.SUCCEEDED,
            idempotency_key=uuid.uuid4().hex,
            provider_reference=f"{charge['id']} (refunded in Stripe)",
            reason="Refunded in Stripe's dashboard",
            settled_at=timezone.now(),
        )
        detail.amount_refunded = totals.refunded
        if totals.remaining <= 0:
            detail.payment_status = PaymentStatus.REFUNDED
        detail.save(update_fields=["amount_refunded", "payment_status"])
        log(detail.order, LOG_ACTION_REFUND,
            data={"amount": str(totals.added), "reference": charge["id"], "source": "stripe"})


HANDLERS = {
    "payment_intent.succeeded": payment_succeeded,
    "payment_intent.payment_failed": payment_failed,
    "charge.refunded": charge_refunded,
}
