"""Customer accounts: every signed-in shopper is a Customer."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commerce.customers.models import Customer
from commerce.orders.guest_orders import attach_guest_orders
from home.shared.emails import absolute_url, send_shop_email


def customer_for(user, *, create=False):
    """The Customer of `user`, or None for an anonymous visitor or an account without one.

    Customers who sign up get theirs at once; accounts made another way (staff,
    `createsuperuser`) have none until they shop: with `create=True` (cart, checkout, profile)
    one is made from the account's name and email. Pages that only show things (a product's
    reviews, the contact form) leave it None rather than write on a visit.
    """
    if not user.is_authenticated:
        return None
    try:
        return user.customer
    except Customer.DoesNotExist:
        if not create:
            return None
    customer, _created = Customer.objects.get_or_create(
        user=user,
        defaults={"name": user.get_full_name() or user.get_username(), "email": user.email},
    )
    return customer


class EmailInUse(Exception):
    """Another account already uses this email address."""


def email_in_use(email, *, user=None):
    """Whether an account other than `user`'s uses `email`, ignoring case: a login account
    (User.email, staff included) or a customer. An address belongs to one account only."""
    users = get_user_model().objects.filter(email__iexact=email)
    customers = Customer.objects.filter(email__iexact=email)
    if user is not None:
        users = users.exclude(pk=user.pk)
        customers = customers.exclude(user=user)
    return users.exists() or customers.exists()


def change_email(customer, email, *, confirmed):
    """Make `email` the address of `customer` and of their login account, together, in one
    transaction, so password resets go where the shop writes. `confirmed` says whether the
    customer proved they read it (a confirmation link) or not (staff corrected it).

    Raises EmailInUse, and saves nothing, if another account uses the address.
    """
    try:
        with transaction.atomic():
            if email_in_use(email, user=customer.user):
                raise EmailInUse(email)
            customer.email = email
            customer.email_confirmed_at = timezone.now() if confirmed else None
            customer.save(update_fields=["email", "email_confirmed_at"])
            customer.user.email = email
            customer.user.save(update_fields=["email"])
    except IntegrityError:  # another customer took it since the check
        raise EmailInUse(email) from None
    return customer


EMAIL_CONFIRMATION_DAYS = 3
_signer = TimestampSigner(salt="commerce.accounts.email-confirmation")


class EmailConfirmationError(Exception):
    """A confirmation link that cannot be used; the message says why, for the customer."""


def email_is_confirmed(customer):
    """Whether the customer proved they read mail at their address: the condition for
    claiming orders placed with that address, or for changing it."""
    return customer.email_confirmed_at is not None


def send_email_confirmation(customer, email):
    """Email a link to `email` that makes it the customer's confirmed address when opened.

    The link stops working once the customer's address changes or after
    EMAIL_CONFIRMATION_DAYS. Returns the OutgoingEmail, whose status says whether it was sent.
    """
    token = _signer.sign_object({"customer": customer.pk, "from": customer.email, "to": email})
    link = absolute_url(reverse("commerce:confirm_email", args=[token]))
    context = {"customer": customer, "email": email, "link": link,
               "days": EMAIL_CONFIRMATION_DAYS, "shop_name": settings.WAGTAIL_SITE_NAME}
    return send_shop_email("commerce/customers/emails/confirm_email", context, [email])


def confirm_email(token):
    """Make the address in a confirmation link the customer's own, confirmed, and give them
    the guest orders placed with it (commerce.orders.guest_orders). Returns the
    customer; raises EmailConfirmationError for a link that is broken, old or used up."""
    try:
        data = _signer.unsign_object(token, max_age=timedelta(days=EMAIL_CONFIRMATION_DAYS))
    except SignatureExpired:
        raise EmailConfirmationError(
            "This confirmation link has expired. Ask for a new one from your profile."
        ) from None
    except BadSignature:
        raise EmailConfirmationError("This confirmation link is not valid.") from None
    with transaction.atomic():
        customer = (
            Customer.objects.select_for_update().select_related("user")
            .filter(pk=data["customer"], email=data["from"]).first()
        )
        if customer is None:
            raise EmailConfirmationError(
                "This confirmation link is no longer valid: your email address has changed "
                "since it was sent."
            )
        try:
            change_email(customer, data["to"], confirmed=True)
        except EmailInUse:
            raise EmailConfirmationError(
                "Another account now uses this email address, so it cannot be yours."
            ) from None
        attach_guest_orders(customer)
    return customer
