"""What checkout records for a placed order: where it goes and how it was paid."""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator
from django.db import models
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from commerce.customers.models import Customer
from commerce.orders.models import MONEY, Order
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.pricing import refundable
from home.shared import fixed_lookups
from home.shared.phone import validate_phone
from home.shared.postal import PostalAddress, validate_zip_code

__all__ = [
    "CheckoutDetail", "CheckoutSettings", "ReturnPolicy", "guest_checkout_allowed",
    "last_checkout", "return_policy", "validate_zip_code",
]

# A return window longer than this is almost certainly a typo (3650 for 365).
MAX_RETURN_WINDOW_DAYS = 365


class CheckoutDetail(PostalAddress):
    """Where and how an order is delivered and paid. Never holds a card number or CVV."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="checkout_detail")
    # None for a guest's order, as Order.customer is.
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    address = models.CharField("shipping address", max_length=255)
    phone = models.CharField(max_length=10, validators=[validate_phone])
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        max_length=12, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    payment_token = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    # What the payment actually came to, as the gateway answered: refunds are bounded by
    # these, never by the order's total.
    amount_authorised = models.DecimalField(**MONEY, editable=False)
    amount_captured = models.DecimalField(**MONEY, editable=False)
    amount_refunded = models.DecimalField(**MONEY, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Delivery for {self.order}"

    @property
    def refundable_amount(self):
        """What was captured and not given back yet."""
        return refundable(self.amount_captured, self.amount_refunded)


@register_setting(icon="cogs")
class CheckoutSettings(BaseSiteSetting):
    """How shoppers may check out, edited under Settings by whoever edits the shop's
    promotions (the Marketers role)."""

    guest_checkout = models.BooleanField(
        "guest checkout on",
        default=True,
        help_text="Shoppers can order with an email address, without an account. Untick to "
        "ask everyone to log in or sign up before checking out.",
    )

    return_window_days = models.PositiveSmallIntegerField(
        "return window (days)",
        default=30,
        validators=[MaxValueValidator(MAX_RETURN_WINDOW_DAYS)],
        help_text="How many days after delivery a shopper may send a product back for a "
        "refund. 0: products cannot be returned.",
    )
    free_returns = models.BooleanField(
        "returns ship free",
        default=True,
        help_text="Untick if shoppers pay for sending a return back.",
    )

    panels = [
        FieldPanel("guest_checkout"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("return_window_days"), FieldPanel("free_returns")])],
            heading="Returns",
            help_text="Shown on every product page and told to search engines.",
        ),
    ]

    class Meta:
        verbose_name = "checkout"


@dataclass(frozen=True)
class ReturnPolicy:
    """What the shop promises about returns (CheckoutSettings)."""

    days: int
    free: bool

    @property
    def accepted(self):
        return self.days > 0

    @property
    def summary(self):
        """The line a shopper reads: "Free returns within 30 days of delivery"."""
        if not self.accepted:
            return "Final sale: products cannot be returned"
        window = f"within {self.days} day{'s' if self.days != 1 else ''} of delivery"
        if self.free:
            return f"Free returns {window}"
        return f"Returns accepted {window}; you pay the return shipping"


def return_policy(site):
    """The ReturnPolicy of `site` (the defaults until marketers save the setting). Reads
    without writing, like guest_checkout_allowed. Held in memory like the other per-request
    lookups (home.shared.fixed_lookups: saving a setting makes every process read it again)."""

    def read():
        settings = CheckoutSettings.objects.filter(site=site).first() or CheckoutSettings()
        return ReturnPolicy(days=settings.return_window_days, free=settings.free_returns)

    return fixed_lookups.held("return policy", getattr(site, "pk", None), read)


def guest_checkout_allowed(site):
    """Whether anonymous shoppers may check out on `site` (on unless a setting says off).
    Reads without writing: a visit never creates the settings row."""
    settings = CheckoutSettings.objects.filter(site=site).first()
    return settings is None or settings.guest_checkout



def last_checkout(customer):
    """The CheckoutDetail of `customer`'s latest checkout, or None: where they last shipped to,
    which checkout fills in again and the cart's shipping and tax estimate uses."""
    if customer is None:
        return None
    return CheckoutDetail.objects.filter(customer=customer).order_by("-created_at").first()
