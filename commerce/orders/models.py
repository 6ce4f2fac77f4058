"""Orders and their lines. An order in the CART status is the customer's cart; the
statuses after it are the order's life (placed, paid, shipped, delivered, cancelled)."""

from decimal import Decimal

from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.urls import reverse

from commerce.customers.models import Customer
from commerce.orders.tracking import (
    CARRIER_MAX_LENGTH,
    TRACKING_NUMBER_MAX_LENGTH,
    tracking_url,
    validate_tracking_number,
)

MAX_QUANTITY = 99


MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


class OrderStatus(models.TextChoices):
    CART = "cart", "Cart"
    # Stock reserved at checkout, waiting for the provider to take the payment (until
    # Order.payment_due_by; see commerce.checkout.payment_flow). Not a sale yet.
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

    subtotal, discount, shipping, tax and total are stored and always written by
    commerce.pricing; the shipping method's name and the tax rate are copied at placement, so a
    later change of rates never rewrites a placed order.
    """

    # None for a guest's order: billing_email says who placed it, and the order joins the
    # account that later confirms that address (commerce.orders.guest_orders).
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", null=True, blank=True
    )
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.CART, db_index=True
    )
    number = models.CharField(max_length=20, unique=True, null=True, blank=True, editable=False)
    date_ordered = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    subtotal = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    shipping = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    # Copied from the shipping method and the destination's tax rate at placement.
    shipping_method_name = models.CharField(max_length=80, blank=True, editable=False)
    tax_rate = models.DecimalField(
        "tax rate (%)", max_digits=6, decimal_places=3, default=Decimal("0"), editable=False
    )
    tax_on_shipping = models.BooleanField(default=False, editable=False)
    # The voucher code the shopper entered (kept on their cart; on a placed order only when
    # its discount applied), the voucher itself once an order used it (its uses are counted
    # from these orders), and which promotion `discount` is, as shown to people.
    voucher_code = models.CharField(max_length=40, blank=True, editable=False)
    voucher = models.ForeignKey(
        "commerce.Voucher", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="orders", editable=False,
    )
    discount_name = models.CharField(max_length=120, blank=True, editable=False)
    # The hidden token of the checkout form that placed this order: submitting that form
    # again (double click, back button, retry) finds this order instead of placing another.
    checkout_token = models.UUIDField(null=True, blank=True, editable=False)
    # True while the order holds stock taken at placement; commerce.orders.stock.release_stock
    # puts it back once (on cancellation) and clears the flag.
    stock_reserved = models.BooleanField(default=False, editable=False)
    # While the order awaits payment: when its stock reservation expires and is released
    # (commerce.checkout.reservations.release_expired_reservations).
    payment_due_by = models.DateTimeField(null=True, blank=True, editable=False)
    # Who was billed, as they were at checkout: renaming the customer later does not rewrite
    # the invoices, emails and admin pages of their earlier orders.
    billing_name = models.CharField(max_length=150, blank=True, editable=False)
    billing_email = models.EmailField(blank=True, editable=False)
    billing_address = models.TextField(blank=True, editable=False)
    # Set when staff mark the order shipped (commerce.orders.status); carrier and tracking
    # number are optional.
    shipped_at = models.DateTimeField(null=True, blank=True, editable=False)
    carrier = models.CharField(max_length=CARRIER_MAX_LENGTH, blank=True, editable=False)
    tracking_number = models.CharField(
        max_length=TRACKING_NUMBER_MAX_LENGTH, blank=True, editable=False,
        validators=[validate_tracking_number],
    )

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
            # Guests have no customer, and NULLs never collide: their tokens are unique alone.
            models.UniqueConstraint(
                fields=["checkout_token"],
                condition=models.Q(customer__isnull=True),
                name="one_guest_order_per_checkout_token",
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
    def is_guest_order(self):
        return self.customer_id is None

    @property
    def customer_label(self):
        """Who placed the order, for staff: the customer's name, or the guest's."""
        if self.customer_id is None:
            return f"{self.billing_name or self.billing_email} (guest)"
        return self.customer.name

    @property
    def tracking_url(self):
        """The carrier's page following this order's parcel, "" if there is none to link."""
        return tracking_url(self.carrier, self.tracking_number)

    @property
    def total_cart_items(self):
        return sum(item.quantity for item in self.items.all())

    @property
    def total_cart_value(self):
        """Price times quantity over the items, before any discount (see commerce.pricing)."""
        from commerce.pricing import order_subtotal

        return order_subtotal(self)


class Line(models.Model):
    """What a line of a cart or an order holds: 1 to MAX_QUANTITY units, added when."""

    quantity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    date_added = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["date_added", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1, quantity__lte=MAX_QUANTITY),
                name="%(class)s_quantity_1_to_99",
            ),
        ]


def fill_variant(line):
    """A line made for a product without saying which variant sells its first variant (the only
    one, for a product sold in one configuration)."""
    if line.variant_id is None and line.product_id is not None and line.pk is None:
        from products.variants import ProductVariant

        line.variant = (
            ProductVariant.objects.filter(product_id=line.product_id).order_by("sort_order", "pk")
            .first()
        )


class OrderItem(Line):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # The order outlives the page: name and unit price are copied in when the order is placed.
    product = models.ForeignKey(
        "products.ProductPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The configuration sold; its SKU and option labels are copied in too.
    variant = models.ForeignKey(
        "products.ProductVariant", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    product_name = models.CharField(max_length=255, blank=True)
    sku = models.CharField("SKU", max_length=64, blank=True)
    options = models.CharField(max_length=255, blank=True, help_text="E.g. 16 GB RAM, Silver.")
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The regular price when the line was sold at a sale price (products.sales), else empty.
    regular_unit_price = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    # Units checkout took off the shelf for this line (0 if the product's stock was not
    # tracked then); commerce.orders.stock.release_stock puts back exactly these, then zeroes them.
    reserved_quantity = models.PositiveIntegerField(default=0, editable=False)

    class Meta(Line.Meta):
        constraints = [
            *Line.Meta.constraints,
            models.UniqueConstraint(fields=["order", "variant"], name="one_line_per_variant"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.display_name}"

    def save(self, *args, **kwargs):
        fill_variant(self)
        super().save(*args, **kwargs)

    @property
    def display_name(self):
        """The product's name with the options bought, as order pages and emails show it."""
        name = self.product_name or str(self.product or "")
        return f"{name} ({self.options})" if self.options else name

    @property
    def sale_note(self):
        """"Sale price, regular $100.00" for a line sold at a sale price; else ""."""
        if self.regular_unit_price is None:
            return ""
        from commerce.pricing import format_money

        return f"Sale price, regular {format_money(self.regular_unit_price)}"

    @property
    def line_total(self):
        """Snapshotted unit price times quantity; None while the line is still in a cart."""
        from commerce.pricing import line_total

        return None if self.unit_price is None else line_total(self.unit_price, self.quantity)
