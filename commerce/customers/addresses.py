"""A customer's address book: several saved delivery addresses, exactly one of them the
default while there are any. Views, checkout and the seed go through these functions."""

from django.db import models, transaction

from commerce.customers.models import Customer
from home.shared.phone import validate_phone
from home.shared.postal import ADDRESS_FIELDS, PostalAddress

# What checkout copies from a saved address into the delivery.
DELIVERY_FIELDS = [*ADDRESS_FIELDS, "phone"]


class Address(PostalAddress):
    """One saved address of a customer's address book."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(max_length=150)
    phone = models.CharField(max_length=10, validators=[validate_phone])
    is_default = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "created_at", "pk"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(is_default=True),
                name="commerce_address_one_default_per_customer",
                violation_error_message="A customer has only one default address.",
            ),
        ]

    def __str__(self):
        return f"{self.recipient_name}, {', '.join(self.postal_lines)}"

    @property
    def delivery(self):
        """The checkout delivery details this address fills in."""
        return {name: getattr(self, name) for name in DELIVERY_FIELDS}


def _lock_book(customer):
    # Every change to a book takes its customer's row first, so two tabs adding a first
    # address, or deleting the default, never leave zero or two defaults.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()


def default_address(customer):
    """The customer's default address, or None when their book is empty."""
    return customer.addresses.filter(is_default=True).first()


def add_address(customer, *, make_default=False, **fields):
    """Save a new address in `customer`'s book and return it. The first one becomes the
    default; `make_default` makes a later one the default."""
    with transaction.atomic():
        _lock_book(customer)
        first = not customer.addresses.exists()
        if make_default and not first:
            customer.addresses.filter(is_default=True).update(is_default=False)
        return Address.objects.create(
            customer=customer, is_default=first or make_default, **fields
        )


def remember_address(customer, recipient_name, delivery):
    """Save checkout's `delivery` in the book unless the same address is already in it."""
    fields = {name: delivery.get(name, "") for name in DELIVERY_FIELDS}
    existing = customer.addresses.filter(**fields).first()
    if existing is not None:
        return existing
    return add_address(customer, recipient_name=recipient_name, **fields)


def make_default(address):
    """Make `address` its customer's default (the previous default stops being one)."""
    with transaction.atomic():
        _lock_book(address.customer)
        address.customer.addresses.exclude(pk=address.pk).filter(is_default=True).update(
            is_default=False
        )
        Address.objects.filter(pk=address.pk).update(is_default=True)
    address.is_default = True


def delete_address(address):
    """Delete `address`; if it was the default, the oldest remaining address becomes it."""
    customer = address.customer
    with transaction.atomic():
        _lock_book(customer)
        was_default = Address.objects.filter(pk=address.pk, is_default=True).exists()
        address.delete()
        if was_default:
            successor = customer.addresses.order_by("created_at", "pk").first()
            if successor is not None:
                Address.objects.filter(pk=successor.pk).update(is_default=True)
