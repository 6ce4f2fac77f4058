"""Low stock: tracked products at or below their threshold (their own, else
SHOP_LOW_STOCK_THRESHOLD), for the admin dashboard's "Low stock" panel (products/dashboard.py)
and the daily digest email to the staff who read stock (`send_low_stock_digest`, run by the
management command of that name or its task).
"""

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from home.shared.emails import absolute_url, send_shop_email

from .models import ProductPage
from .stock_history import stock_movement_permission_policy

DIGEST_TEMPLATE = "products/emails/low_stock_digest"


def low_stock_products():
    """Published products whose stock is tracked and at or below their threshold, lowest
    stock first, each annotated with `threshold`."""
    return (
        ProductPage.objects.live()
        .filter(stock__isnull=False)
        .annotate(
            threshold=Coalesce("low_stock_threshold", Value(settings.SHOP_LOW_STOCK_THRESHOLD))
        )
        .filter(stock__lte=F("threshold"))
        .order_by("stock", "title", "pk")
    )


def editor_url(product):
    """Where staff change the product (and its stock)."""
    return reverse("wagtailadmin_pages:edit", args=[product.pk])


def digest_recipients():
    """The email addresses of the active staff who may read stock (fulfilment, marketers,
    superusers)."""
    users = stock_movement_permission_policy.users_with_any_permission({"view"})
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def send_low_stock_digest(now=None):
    """Email the staff who read stock the list of low products, one email each; nothing when
    nothing is low or nobody is to be told. Returns the OutgoingEmails."""
    products = [
        (product, absolute_url(editor_url(product))) for product in low_stock_products()
    ]
    if not products:
        return []
    context = {
        "products": products,
        "day": (now or timezone.now()).date(),
        "default_threshold": settings.SHOP_LOW_STOCK_THRESHOLD,
        "shop_name": settings.WAGTAIL_SITE_NAME,
    }
    return [
        send_shop_email(DIGEST_TEMPLATE, context, to=[email]) for email in digest_recipients()
    ]


@task()
def send_low_stock_digest_task():
    """The task worker's way to run send_low_stock_digest; returns how many were emailed."""
    return len(send_low_stock_digest())
