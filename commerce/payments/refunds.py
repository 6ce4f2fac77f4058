"""Giving a payment back, through the gateway that took it.

The amounts a gateway answers with (authorised, captured) are stored on the order's
CheckoutDetail, and a refund never gives back more than was captured less what was refunded.
Cancelling an order gives its payment back in three steps (see commerce.orders.status): a
Refund is recorded as pending with an idempotency key and committed (`pending_refund`), the
gateway's refund() is called with that key (`issue_refund`), and the refund is settled with
the cancellation (`settle_refund`). If anything fails after the gateway answered, the next
attempt asks again with the same key, which a provider answers without paying twice.

Staff also give back part or all of what remains from the admin order page
(commerce.orders.refund_order): `pending_staff_refund` records the amount, reason and staff
member under the same lock and idempotency key, then the same issue and settle steps follow.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from commerce.checkout.models import CheckoutDetail
from commerce.payments.gateways import RefundFailed, configured_gateways
from commerce.payments.models import PaymentMethod, PaymentStatus, Refund, RefundStatus
from commerce.pricing import apply_refund, format_money

LOG_ACTION_REFUND = "commerce.refund"


LOG_ACTION_REFUND_FAILED = "commerce.refund_failed"

# Payments something was taken for: a gateway's, or cash the courier collected.
REFUNDABLE_PAYMENT_STATUSES = (PaymentStatus.AUTHORISED, PaymentStatus.PAID)


class RefundRefused(Exception):
    """A refund staff asked for that was not made; str() is a sentence for staff."""


def has_refundable_payment(detail):
    """True when `detail` (a CheckoutDetail, or None) took money that is not all given back:
    not so for cash on delivery before the courier collected it."""
    return (
        detail is not None
        and detail.payment_status in REFUNDABLE_PAYMENT_STATUSES
        and detail.refundable_amount > 0
    )


def pending_staff_refund(order, amount, reason, *, user):
    """Record, as pending, a refund of `amount` (Decimal) of `order`'s payment that staff
    (`user`) asked for with `reason`, and commit it before the gateway is asked.

    The payment row is locked while the amount is checked against what remains and the refund
    recorded, so two refunds at once cannot give back more than was captured. A refund left
    pending by an attempt the provider did not answer is returned again if the same staff
    member asks for the same amount (its key then makes the provider pay once); anything else
    is refused until it is settled. Raises RefundRefused, changing nothing, if the amount is
    more than remains or no gateway takes the payment's method any more.
    """
    with transaction.atomic():
        detail = CheckoutDetail.objects.select_for_update().filter(order=order).first()
        pending = None if detail is None else detail.refunds.filter(
            status=RefundStatus.PENDING
        ).first()
        if pending is not None:
            # Only its own staff member retries it: another one asking at the same time is
            # refused rather than told a refund they did not make went through.
            if pending.amount == amount and pending.created_by_id == getattr(user, "pk", None):
                return pending
            raise RefundRefused(
                f"A refund of {format_money(pending.amount)} on {order} is still waiting for "
                "the payment provider's answer. Refund that amount again to retry it: the "
                "customer will not be refunded twice."
            )
        if not has_refundable_payment(detail):
            raise RefundRefused(f"Nothing is left to refund on {order}.")
        if amount > detail.refundable_amount:
            raise RefundRefused(
                f"{format_money(amount)} is more than the {format_money(detail.refundable_amount)}"
                f" left to refund on {order}; nothing was refunded."
            )
        try:
            _gateway_for(detail)
        except RefundFailed as failure:
            raise RefundRefused(str(failure)) from None
        return Refund.objects.create(
            order=order, payment=detail, amount=amount, reason=reason, created_by=user,
            idempotency_key=uuid.uuid4().hex,
        )


def record_cash_collected(order):
    """Record that the courier collected a cash-on-delivery payment of `order` (marked
    delivered and paid by staff), so its invoice and pages no longer show the payment as pending."""
    CheckoutDetail.objects.filter(
        order=order,
        payment_method=PaymentMethod.CASH_ON_DELIVERY,
        payment_status=PaymentStatus.PENDING,
    ).update(payment_status=PaymentStatus.PAID, amount_captured=order.total)


def pending_refund(order, *, user=None):
    """The pending Refund of `order`'s gateway payment, recorded now if there is none yet, or
    None when nothing is left to give back (cash on delivery, or refunded already).

    Commits before returning, so the refund and its idempotency key are on record before the
    gateway is asked. A refund left pending by an earlier attempt is returned as it is: asking
    again with its key cannot pay twice. Raises RefundFailed if no gateway takes the payment's
    method any more, or if a partial refund staff made is still unconfirmed.
    """
    with transaction.atomic():
        detail = CheckoutDetail.objects.select_for_update().filter(order=order).first()
        if detail is None:
            return None
        pending = detail.refunds.filter(status=RefundStatus.PENDING).first()
        if pending is not None and pending.amount != detail.refundable_amount:
            # A partial refund staff made is unconfirmed: settling it would leave the rest
            # with the shop, and a second refund cannot be asked for until it is.
            raise RefundFailed(
                f"A refund of {format_money(pending.amount)} is still waiting for the payment "
                "provider's answer. Retry it from the order's Refund page first."
            )
        if pending is not None:
            return pending
        amount = detail.refundable_amount
        if detail.payment_status != PaymentStatus.AUTHORISED or amount <= 0:
            return None
        _gateway_for(detail)
        return Refund.objects.create(
            order=order, payment=detail, amount=amount, idempotency_key=uuid.uuid4().hex,
            created_by=user,
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
    totals = apply_refund(detail.amount_captured, detail.amount_refunded, refund.amount)
    detail.amount_refunded = totals.refunded
    if totals.remaining <= 0:
        detail.payment_status = PaymentStatus.REFUNDED
    detail.save(update_fields=["amount_refunded", "payment_status"])
    log(
        refund.order,
        LOG_ACTION_REFUND,
        user=user,
        data={
            "amount": str(refund.amount),
            "reference": refund.provider_reference,
            "reason": refund.reason,
        },
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
