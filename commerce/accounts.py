"""Customer accounts: every signed-in shopper is a Customer."""

from .models import Customer


def customer_for(user):
    """The Customer of `user`, created from the account's name and email if it has none yet.

    Customers who sign up get theirs at once; this covers accounts made another way (staff,
    `createsuperuser`) so they can shop too.
    """
    try:
        return user.customer
    except Customer.DoesNotExist:
        customer, _created = Customer.objects.get_or_create(
            user=user,
            defaults={"name": user.get_full_name() or user.get_username(), "email": user.email},
        )
        return customer
