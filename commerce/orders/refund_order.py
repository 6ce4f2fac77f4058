"""Staff giving back part or all of an order's payment from the admin, and optionally putting
some of its units back in stock.

Three steps, as a cancellation's refund (commerce.orders.status): the refund is recorded as
pending under the payment's lock (commerce.payments.refunds.pending_staff_refund), the
gateway that took the payment is asked with the refund's idempotency key outside any lock or
transaction, then the refund is settled and the units restocked in one transaction.
"""

import logging
from dataclasses import dataclass

from django.db import transaction

from commerce.orders.stock import RestockRefused, check_restock, restock_lines
from commerce.payments.gateways import RefundFailed
from commerce.payments.refunds import (
    RefundRefused,
    issue_refund,
    pending_staff_refund,
    settle_refund,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RefundMade:
    refund: object
    restocked: list


def refund_order(order, amount, reason, *, user, restock=None):
    """Give back `amount` (Decimal, more than 0) of `order`'s payment for `reason`, made by
    staff member `user`, and put back in stock `restock` ({OrderItem id: units}).

    Returns a RefundMade. Raises RefundRefused with a sentence for staff when nothing was
    given back: more than remains was asked, the provider refused (the refund is marked failed
    and may simply be asked again), or the provider did not answer (the refund stays pending,
    and asking again for the same amount reuses its idempotency key). Units that a line did not
    take are refused before the provider is asked.
    """
    restock = {pk: units for pk, units in (restock or {}).items() if units}
    try:
        check_restock(order, restock)
    except RestockRefused as refusal:
        raise RefundRefused(f"Nothing was refunded: {refusal}") from None
    refund = pending_staff_refund(order, amount, reason, user=user)
    try:
        reference = issue_refund(refund, user=user)
    except RefundFailed as failure:
        raise RefundRefused(
            f"The payment provider refused to refund {order}; nothing was given back. {failure}"
        ) from None
    except Exception:
        logger.exception("Refund of %s got no answer from the payment provider", order)
        raise RefundRefused(
            f"The payment provider did not answer, so the refund of {order} is not confirmed. "
            "Refund the same amount again to retry: the customer will not be refunded twice."
        ) from None
    with transaction.atomic():
        refund = settle_refund(refund, reference, user=user)
        try:
            restocked = restock_lines(order, restock, user=user)
        except RestockRefused:
            # Another staff member restocked these units meanwhile: the money went back, the
            # units did not come back twice.
            logger.warning("Units of %s were restocked by someone else meanwhile", order)
            restocked = []
    return RefundMade(refund=refund, restocked=restocked)
