"""Unsubscribing from the shop's marketing and notification emails (RFC 8058 one-click).

Every such email (send_marketing_email in home.shared.emails) carries a link signed for its
recipient's address, in its footer and in the `List-Unsubscribe` header with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`. A POST to the link opts the address out
without logging in; the signature is what proves the request came from the email, so the link
never expires. Opted-out addresses get no reminders and no back-in-stock alerts; order emails
still go.
"""

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse

from home.shared.models import EmailOptOut
from home.shared.public_address import shop_url

_signer = signing.Signer(salt="home.shared.unsubscribe")


def unsubscribe_token(email):
    """The signed token that unsubscribes `email` (any case) and nothing else."""
    return _signer.sign(email.strip().casefold())


def email_from_token(token):
    """The address `token` was signed for, or None if it was tampered with."""
    try:
        return _signer.unsign(token)
    except signing.BadSignature:
        return None


def unsubscribe_url(email):
    return shop_url(reverse("unsubscribe", args=[unsubscribe_token(email)]))


def unsubscribe_headers(email):
    """The RFC 2369 / RFC 8058 headers of a marketing email to `email`."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(email)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def opted_out_q(field="email"):
    """Rows whose `field` is an address that unsubscribed, for excluding them in one query."""
    return Exists(EmailOptOut.objects.filter(email__iexact=OuterRef(field)))


def has_opted_out(email):
    return EmailOptOut.objects.filter(email__iexact=email.strip()).exists()


def opt_out(email):
    """Record that `email` wants no more marketing emails; doing it again changes nothing."""
    if has_opted_out(email):
        return
    try:
        with transaction.atomic():
            EmailOptOut.objects.create(email=email.strip().casefold())
    except IntegrityError:  # the same click, twice at once: already recorded
        return
