"""Back-in-stock alerts: "Email me when it's back" on an out-of-stock product.

A shopper leaves an email on the product page (`ask_for_alert`, throttled per email and per
client address); the request stays open until the product is back. products.stock tells
`alert_when_restocked` which products went from 0 (or below) to available; once that
transaction commits, the task `send_back_in_stock_alerts` claims each open request with a
conditional update, so two runs at once email nobody twice, then emails the person and leaves
the request closed (`notified_at`). Requests for a product that is not published wait.
"""

import hashlib
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django_tasks import task

from home.shared.emails import absolute_url, send_marketing_email
from home.shared.rate_limits import count_within_window
from home.shared.unsubscribe import has_opted_out

logger = logging.getLogger(__name__)

EMAIL_TEMPLATE = "products/emails/back_in_stock"


class BackInStockRequest(models.Model):
    """Someone waiting for a product to be back in stock; open until `notified_at`."""

    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="back_in_stock_requests"
    )
    # The configuration waited for; None: any (requests from before variants, or made for the
    # product as a whole).
    variant = models.ForeignKey(
        "products.ProductVariant", on_delete=models.CASCADE, null=True, blank=True,
        related_name="back_in_stock_requests",
    )
    email = models.EmailField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                "product", Lower("email"),
                condition=models.Q(notified_at__isnull=True, variant__isnull=True),
                name="back_in_stock_open_once_per_email",
            ),
            models.UniqueConstraint(
                "variant", Lower("email"),
                condition=models.Q(notified_at__isnull=True, variant__isnull=False),
                name="back_in_stock_variant_open_once_per_email",
            ),
        ]
        verbose_name = "back-in-stock request"

    def __str__(self):
        # No email: the admin shows requests to marketers, who never see customers' addresses.
        return f"Back-in-stock request #{self.pk} for {self.product}"

    @property
    def is_open(self):
        return self.notified_at is None


class AlertRefused(Exception):
    """A request the shop did not record, with the sentence the shopper reads."""


class AlertThrottled(AlertRefused):
    pass


class AlreadyWaiting(AlertRefused):
    pass


def ask_for_alert(product, email, client, variant=None):
    """Record that `email` (sent from the address `client`) wants to hear when `product` (its
    configuration `variant`, if given) is back; returns the BackInStockRequest.

    Raises AlertThrottled past BACK_IN_STOCK_REQUESTS_PER_EMAIL or _PER_CLIENT requests in
    BACK_IN_STOCK_THROTTLE_MINUTES, AlreadyWaiting if that email already waits for it, and
    AlertRefused if it unsubscribed from the shop's emails; either way nothing is recorded.
    """
    email = email.strip()
    minutes = settings.BACK_IN_STOCK_THROTTLE_MINUTES
    per_email = count_within_window(_throttle_key("email", email.casefold()), minutes * 60)
    per_client = count_within_window(_throttle_key("client", client), minutes * 60)
    if (
        per_email > settings.BACK_IN_STOCK_REQUESTS_PER_EMAIL
        or per_client > settings.BACK_IN_STOCK_REQUESTS_PER_CLIENT
    ):
        raise AlertThrottled(
            f"We have had too many requests from you in the last {minutes} minutes, so this "
            f"one was not recorded. Please try again in {minutes} minutes."
        )
    name = variant.display_name if variant is not None else product.title
    if has_opted_out(email):
        # Recording it would promise an email that the opt-out then stops.
        raise AlertRefused(
            f"{email} is unsubscribed from our emails, so we cannot email you when {name} is "
            "back. Please check back on this page, or write to us to hear from us again."
        )
    already = AlreadyWaiting(
        f"You're already on the list: we will email {email} when {name} is back."
    )
    if open_requests().filter(product=product, variant=variant, email__iexact=email).exists():
        raise already
    try:
        with transaction.atomic():
            return BackInStockRequest.objects.create(
                product=product, variant=variant, email=email
            )
    except IntegrityError:  # the same request, sent twice at once
        raise already from None


def open_requests():
    return BackInStockRequest.objects.filter(notified_at__isnull=True)


def _throttle_key(kind, value):
    return f"products:back-in-stock:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def alert_when_restocked(product_ids, variant_ids=()):
    """Email those waiting for `product_ids` (products that just became available) and for
    `variant_ids` (configurations that did) once the current transaction commits. Called by
    products.stock; never raises."""
    product_ids, variant_ids = sorted(product_ids), sorted(variant_ids)
    if product_ids or variant_ids:
        transaction.on_commit(lambda: _queue_alerts(product_ids, variant_ids), robust=True)


def _queue_alerts(product_ids, variant_ids):
    try:
        send_back_in_stock_alerts_task.enqueue(product_ids, variant_ids)
    except Exception:
        logger.exception(
            "Could not queue the back-in-stock alerts of products %s, variants %s",
            product_ids, variant_ids,
        )


@task()
def send_back_in_stock_alerts_task(product_ids, variant_ids=()):
    """The task worker's way to run send_back_in_stock_alerts."""
    return send_back_in_stock_alerts(product_ids, variant_ids)


def send_back_in_stock_alerts(product_ids, variant_ids=()):
    """Email everyone waiting for the products `product_ids`, or for the configurations
    `variant_ids`, that are published and in stock now, once each, and close their requests;
    returns how many were emailed.

    Each request is claimed by an UPDATE that only succeeds while it is still open, so runs
    at the same time (or again) never email anyone twice. Emails are sent after the claim,
    outside any lock.
    """
    for_product = models.Q(product_id__in=product_ids, variant__isnull=True) & (
        models.Q(product__stock__isnull=True) | models.Q(product__stock__gt=0)
    )
    for_variant = models.Q(variant_id__in=variant_ids, variant__active=True) & (
        models.Q(variant__stock__isnull=True) | models.Q(variant__stock__gt=0)
    )
    waiting = (
        open_requests()
        .filter(for_product | for_variant, product__live=True)
        .select_related("product", "variant")
        .order_by("pk")
    )
    sent = 0
    for request in waiting:
        claimed = open_requests().filter(pk=request.pk).update(notified_at=timezone.now())
        if claimed and send_alert(request) is not None:
            sent += 1
    return sent


def send_alert(request):
    """The back-in-stock email for one request; None if its address unsubscribed (the request
    is closed all the same)."""
    product = request.product
    _site, _root, path = product.get_url_parts()
    if request.variant is not None:
        path = f"{path}?{urlencode({'variant': request.variant.sku})}"
    return send_marketing_email(
        EMAIL_TEMPLATE,
        {
            "product": product,
            "name": request.variant.display_name if request.variant else product.title,
            "price": request.variant.unit_price if request.variant else product.price,
            "product_url": absolute_url(path),
            "shop_name": settings.WAGTAIL_SITE_NAME,
        },
        to=request.email,
        about=request,
    )

