"""Customer accounts: every signed-in shopper is a Customer."""

from datetime import timedelta

from django.conf import settings
from django.core.signing import BadSignature, SignatureExpired, TimestampSigner
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from home.emails import send_shop_email

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
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "commerce:confirm_email", args=[token]
    )
    context = {"customer": customer, "email": email, "link": link,
               "days": EMAIL_CONFIRMATION_DAYS, "shop_name": settings.WAGTAIL_SITE_NAME}
    return send_shop_email("accounts/emails/confirm_email", context, [email])


def confirm_email(token):
    """Make the address in a confirmation link the customer's own, confirmed. Returns the
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
        customer.email = data["to"]
        customer.email_confirmed_at = timezone.now()
        try:
            with transaction.atomic():
                customer.save(update_fields=["email", "email_confirmed_at"])
        except IntegrityError:
            raise EmailConfirmationError(
                "Another account now uses this email address, so it cannot be yours."
            ) from None
        # Password reset emails go to the account's address: keep it the customer's.
        customer.user.email = customer.email
        customer.user.save(update_fields=["email"])
    return customer
