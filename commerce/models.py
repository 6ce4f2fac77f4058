from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models.functions import Length, Lower
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from .phone import validate_phone

MAX_QUANTITY = 99
# A bulk discount above this is almost certainly a typo (95 for 9.5), and would sell the
# catalogue at a loss.
MAX_BULK_DISCOUNT_PERCENTAGE = Decimal("90")
MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}

validate_zip_code = RegexValidator(
    r"^\d{5}(-\d{4})?$",
    message="Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789.",
    code="invalid_zip_code",
)


class Customer(models.Model):
    """A shopper's profile, one-to-one with their Django user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer"
    )
    name = models.CharField(max_length=150)
    email = models.EmailField()
    phone = models.CharField(max_length=10, blank=True, validators=[validate_phone])
    created_at = models.DateTimeField(auto_now_add=True)
    # When the customer opened the link emailed to `email` (commerce.accounts).
    email_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="commerce_customer_email_unique",
                violation_error_message="A customer with this email address already exists.",
            ),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"


class OrderStatus(models.TextChoices):
    CART = "cart", "Cart"
    # Stock reserved at checkout, waiting for the provider to take the payment (until
    # Order.payment_due_by; see commerce.payment_flow). Not a sale yet.
    AWAITING_PAYMENT = "awaiting_payment", "Awaiting payment"
    PLACED = "placed", "Placed"
    PAID = "paid", "Paid"
    SHIPPED = "shipped", "Shipped"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


# The statuses of a placed order: the customer committed to buy and nobody cancelled.
PLACED_OR_LATER = [
    OrderStatus.PLACED,
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.COMPLETED,
]


def cart_q(via=""):
    """Orders still in the cart; `via` reaches them from another model ("order__")."""
    return models.Q(**{f"{via}status": OrderStatus.CART})


def placed_q(via=""):
    """Placed orders: placed or later and not cancelled, as sales, invoices and review
    eligibility count them; `via` reaches them from another model ("order__")."""
    return models.Q(**{f"{via}status__in": PLACED_OR_LATER})


class OrderQuerySet(models.QuerySet):
    def carts(self):
        return self.filter(cart_q())

    def placed(self):
        """Placed or later, not cancelled: what was sold."""
        return self.filter(placed_q())

    def not_carts(self):
        """Every order past the cart, cancelled ones too: what a customer's history and
        the admin's order list show."""
        return self.exclude(cart_q())

    def awaiting_payment(self):
        """Orders holding a stock reservation until they are paid or it expires."""
        return self.filter(status=OrderStatus.AWAITING_PAYMENT)


class Order(models.Model):
    """A customer's cart while status is CART; an order once placed.

    subtotal, discount and total are stored and always written by commerce.pricing.
    """

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.CART, db_index=True
    )
    number = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    date_ordered = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    # The hidden token of the checkout form that placed this order: submitting that form
    # again (double click, back button, retry) finds this order instead of placing another.
    checkout_token = models.UUIDField(null=True, blank=True, editable=False)
    # True while the order holds stock taken at placement; commerce.stock.release_stock
    # puts it back once (on cancellation) and clears the flag.
    stock_reserved = models.BooleanField(default=False, editable=False)
    # While the order awaits payment: when its stock reservation expires and is released
    # (commerce.payment_flow.release_expired_reservations).
    payment_due_by = models.DateTimeField(null=True, blank=True, editable=False)
    # Who was billed, as they were at checkout: renaming the customer later does not rewrite
    # the invoices, emails and admin pages of their earlier orders.
    billing_name = models.CharField(max_length=150, blank=True, editable=False)
    billing_email = models.EmailField(blank=True, editable=False)
    billing_address = models.TextField(blank=True, editable=False)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-date_ordered", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status="cart"),
                name="one_cart_per_customer",
            ),
            models.UniqueConstraint(
                fields=["customer", "checkout_token"], name="one_order_per_checkout_token"
            ),
        ]
        permissions = [
            ("change_order_status", "Can change the status of an order (pay, ship, cancel)"),
            ("view_sales_report", "Can view sales figures on the dashboard"),
        ]

    def __str__(self):
        return f"Order {self.number}" if self.number else f"Cart #{self.pk}"

    def get_absolute_url(self):
        return reverse("commerce:order_detail", args=[self.number])

    @property
    def total_cart_items(self):
        return sum(item.quantity for item in self.items.all())

    @property
    def total_cart_value(self):
        """Price times quantity over the items, before any discount (see commerce.pricing)."""
        from .pricing import order_subtotal

        return order_subtotal(self)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # The order outlives the page: name and unit price are copied in when the order is placed.
    product = models.ForeignKey(
        "products.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=255, blank=True)
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    quantity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    date_added = models.DateTimeField(auto_now_add=True)
    # Units checkout took off the shelf for this line (0 if the product's stock was not
    # tracked then); commerce.stock.release_stock puts back exactly these, then zeroes them.
    reserved_quantity = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["date_added", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="order_item_quantity_1_to_99",
            ),
            models.UniqueConstraint(fields=["order", "product"], name="one_line_per_product"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product_name or self.product}"

    @property
    def line_total(self):
        """Snapshotted unit price times quantity; None while the line is still in a cart."""
        from .pricing import line_total

        return None if self.unit_price is None else line_total(self.unit_price, self.quantity)


class AnonymousCart(models.Model):
    """The cart of a shopper who is not signed in, keyed by the session that made it.

    A row rather than session data so that concurrent changes lock it and queue, as a
    customer's cart order does. Merged into the customer's cart at log-in; rows whose
    session has expired are deleted by `manage.py clear_expired_carts`.
    """

    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Anonymous cart #{self.pk}"


class AnonymousCartLine(models.Model):
    cart = models.ForeignKey(AnonymousCart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="+"
    )
    quantity = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    date_added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date_added", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="anonymous_cart_line_quantity_1_to_99",
            ),
            models.UniqueConstraint(
                fields=["cart", "product"], name="anonymous_cart_one_line_per_product"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.product}"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    CASH_ON_DELIVERY = "cod", "Cash on delivery"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    AUTHORISED = "authorised", "Authorised"
    # Cash on delivery once staff mark the order paid.
    PAID = "paid", "Paid"
    DECLINED = "declined", "Declined"
    REFUNDED = "refunded", "Refunded"


class CheckoutDetail(models.Model):
    """Where and how an order is delivered and paid. Never holds a card number or CVV."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="checkout_detail")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("shipping address", max_length=255)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=100)
    zip_code = models.CharField("ZIP code", max_length=10, validators=[validate_zip_code])
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
        return max(self.amount_captured - self.amount_refunded, Decimal("0.00"))


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    """Money given back through a payment gateway, recorded before the gateway is asked.

    A refund is saved as pending, with its idempotency key, in a committed step of its own;
    the gateway is then called with that key and the refund settled. If anything fails in
    between, the next attempt finds the pending refund and asks again with the same key, so
    the provider never gives the money back twice. See commerce.payments.
    """

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(CheckoutDetail, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    provider_reference = models.CharField(max_length=255, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["payment"],
                condition=models.Q(status="pending"),
                name="one_pending_refund_per_payment",
            ),
        ]

    def __str__(self):
        return f"Refund of {self.amount} for {self.order}"


class ReviewStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    HIDDEN = "hidden", "Hidden"


REVIEW_MAX_LENGTH = 2000


class Review(models.Model):
    """A customer's rating and plain-text review of a product they bought.

    Written only through commerce.reviews (which checks the purchase); hidden and published
    again only by staff through the same module, which records who did it and why.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="reviews")
    product = models.ForeignKey(
        "products.ProductPage", on_delete=models.CASCADE, related_name="reviews"
    )
    rating = models.PositiveSmallIntegerField(
        choices=[(stars, f"{stars} out of 5") for stars in range(1, 6)],
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    content = models.TextField(
        "review",
        max_length=REVIEW_MAX_LENGTH,
        validators=[MaxLengthValidator(REVIEW_MAX_LENGTH)],  # TextField alone checks only forms.
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PUBLISHED
    )
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    hidden_reason = models.CharField(max_length=255, blank=True, editable=False)
    created_at = models.DateTimeField("submitted", auto_now_add=True)
    # The customer's last edit; moderation does not touch it.
    updated_at = models.DateTimeField("last edited", auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", "Can hide and publish reviews")]
        indexes = [
            # The product page: a product's published reviews, newest first.
            models.Index(
                fields=["product", "status", "-created_at"], name="review_product_status_date"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"], name="review_one_per_customer_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("content"), REVIEW_MAX_LENGTH),
                name="review_content_max_length",
            ),
        ]

    def __str__(self):
        return f"{self.rating}/5 for {self.product} by {self.customer.name}"

    @property
    def is_published(self):
        return self.status == ReviewStatus.PUBLISHED

    @property
    def author_name(self):
        """How the author is shown on the site: first name and last initial, "Ada L."."""
        first, *rest = self.customer.name.split() or ["A customer"]
        return f"{first} {rest[-1][0]}." if rest else first


@register_setting(icon="tag")
class BulkDiscountSettings(BaseSiteSetting):
    """The bulk discount rule marketers edit under Settings; applied by commerce.pricing."""

    enabled = models.BooleanField(
        "bulk discount on",
        default=True,
        help_text="Untick to stop giving the discount. Orders already placed keep theirs.",
    )
    threshold = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY - 1)],
        help_text="The discount applies when one line of an order has more than this many "
        "units of the same product: 3 means from the 4th unit.",
    )
    percentage = models.DecimalField(
        "percentage off",
        max_digits=5,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[
            MinValueValidator(Decimal("0.01"), message="Enter a percentage above 0."),
            MaxValueValidator(
                MAX_BULK_DISCOUNT_PERCENTAGE,
                message=f"The discount cannot be more than {MAX_BULK_DISCOUNT_PERCENTAGE} "
                "percent.",
            ),
        ],
        help_text=f"Taken off the whole order total, for example 20 (at most "
        f"{MAX_BULK_DISCOUNT_PERCENTAGE}).",
    )

    panels = [FieldPanel("enabled"), FieldPanel("threshold"), FieldPanel("percentage")]

    class Meta:
        verbose_name = "bulk discount"
