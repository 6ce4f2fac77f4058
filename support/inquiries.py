"""Contact inquiries from arrival to resolution.

The contact page calls `throttle_inquiry` and `receive_inquiry`; the admin views call
`assign_inquiry` and `change_status`. Every change made by staff is written to Wagtail's
history of the inquiry.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.utils import get_user_display_name
from wagtail.log_actions import log

from home.shared.emails import absolute_url, send_shop_email
from home.shared.models import OutgoingEmail
from home.shared.rate_limits import count_within_window

from .models import Contact, InquiryStatus, support_staff_filter

logger = logging.getLogger(__name__)

ASSIGN_ACTION = "support.inquiry.assign"
STATUS_ACTION = "support.inquiry.status"

# The allowed status changes from each status, with the label of the button that makes them.
STATUS_CHANGES = {
    InquiryStatus.NEW: [
        (InquiryStatus.IN_PROGRESS, "Mark in progress"),
        (InquiryStatus.RESOLVED, "Resolve"),
        (InquiryStatus.SPAM, "Mark as spam"),
    ],
    InquiryStatus.IN_PROGRESS: [
        (InquiryStatus.RESOLVED, "Resolve"),
        (InquiryStatus.SPAM, "Mark as spam"),
    ],
    InquiryStatus.RESOLVED: [(InquiryStatus.IN_PROGRESS, "Reopen")],
    InquiryStatus.SPAM: [(InquiryStatus.NEW, "Not spam")],
}


class InquiryThrottled(Exception):
    """Too many inquiries from one address in a short time."""


class InquiryActionError(Exception):
    """A staff action that cannot be applied to the inquiry as it stands."""


@dataclass(frozen=True)
class ReceivedInquiry:
    inquiry: Contact
    acknowledgement: OutgoingEmail


def throttle_inquiry(email, client):
    """Count an inquiry from `email`, sent from the address `client`; raise InquiryThrottled
    once either has sent more than its limit in the window (CONTACT_THROTTLE_MINUTES).

    Addresses are counted normalised (`normalised_address`), so Ada+1@Example.com and
    ada@example.com share one count. Counts live in the cache (Redis in production) and
    restart after the window.
    """
    minutes = settings.CONTACT_THROTTLE_MINUTES
    per_address = count_within_window(_throttle_key("address", normalised_address(email)),
                                      minutes * 60)
    per_client = count_within_window(_throttle_key("client", client), minutes * 60)
    if per_address > settings.CONTACT_MESSAGES_PER_ADDRESS:
        raise InquiryThrottled(
            f"We have already received {settings.CONTACT_MESSAGES_PER_ADDRESS} messages from "
            f"{email} in the last {minutes} minutes, so this one has not been sent. "
            f"Everything you typed is still below: please send it again in {minutes} minutes."
        )
    if per_client > settings.CONTACT_MESSAGES_PER_CLIENT:
        raise InquiryThrottled(
            f"We have received too many messages from your network in the last {minutes} "
            f"minutes, so this one has not been sent. Everything you typed is still below: "
            f"please send it again in {minutes} minutes."
        )


def normalised_address(email):
    """`email` as one mailbox: case folded, and any +tag dropped from the part before the @
    (ada+shop@example.com reaches ada@example.com)."""
    local, at, domain = email.strip().casefold().rpartition("@")
    return local.partition("+")[0] + at + domain


def _throttle_key(kind, value):
    return f"support:inquiries:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def receive_inquiry(inquiry, *, support_email=""):
    """Save a new inquiry from the contact page, then acknowledge it and notify support.

    The inquiry is saved first and kept whatever happens to the emails: a failure to send
    is logged and recorded by `send_shop_email`, and `acknowledgement` (its status: sent,
    queued or failed) tells the sender what became of their copy.
    """
    inquiry.save()
    context = {
        "inquiry": inquiry,
        "support_email": support_email,
        "shop_name": settings.WAGTAIL_SITE_NAME,
        "admin_url": absolute_url(reverse("support_inquiries:edit", args=[inquiry.pk])),
    }
    acknowledgement = send_shop_email(
        "support/emails/inquiry_acknowledgement", context, to=[inquiry.email],
        reply_to=[support_email] if support_email else None, about=inquiry,
    )
    if support_email:
        send_shop_email(
            "support/emails/inquiry_notification", context, to=[support_email],
            reply_to=[inquiry.email], about=inquiry,
        )
    else:
        logger.warning(
            "Inquiry #%s: no support address is set (Settings > Support), "
            "so nobody was emailed about it.", inquiry.pk,
        )
    return ReceivedInquiry(inquiry=inquiry, acknowledgement=acknowledgement)


def assign_inquiry(inquiry, assignee, *, by):
    """Give the inquiry to `assignee` (None to unassign), logged as done by `by`.

    Only support staff can be assigned. A new inquiry that gets an assignee is in progress.
    """
    if assignee is None and inquiry.assignee_id is None:
        raise InquiryActionError("This inquiry is not assigned to anyone.")
    if assignee is not None:
        name = get_user_display_name(assignee)
        if inquiry.assignee_id == assignee.pk:
            raise InquiryActionError(f"This inquiry is already assigned to {name}.")
        if not support_staff().filter(pk=assignee.pk).exists():
            raise InquiryActionError(f"{name} cannot be assigned inquiries: not support staff.")
    inquiry.assignee = assignee
    fields = ["assignee"]
    if assignee is not None and inquiry.status == InquiryStatus.NEW:
        inquiry.status = InquiryStatus.IN_PROGRESS
        fields.append("status")
    with transaction.atomic():
        inquiry.save(update_fields=fields)
        log(
            inquiry, ASSIGN_ACTION, user=by,
            data={"assignee": get_user_display_name(assignee) if assignee else None},
        )
    return inquiry


def change_status(inquiry, status, *, by):
    """Move the inquiry to `status` if STATUS_CHANGES allows it, logged as done by `by`.

    Resolving stamps `resolved_at`; any other status clears it.
    """
    status = InquiryStatus(status)
    current = InquiryStatus(inquiry.status)
    if status not in dict(STATUS_CHANGES[current]):
        raise InquiryActionError(
            f"An inquiry that is {current.label.lower()} cannot be marked "
            f"{status.label.lower()}."
        )
    inquiry.status = status
    inquiry.resolved_at = timezone.now() if status == InquiryStatus.RESOLVED else None
    with transaction.atomic():
        inquiry.save(update_fields=["status", "resolved_at"])
        log(
            inquiry, STATUS_ACTION, user=by,
            data={"from": current.value, "to": status.value},
        )
    return inquiry


def status_changes_for(inquiry):
    """The (status, button label) pairs staff may choose from for this inquiry."""
    return STATUS_CHANGES[InquiryStatus(inquiry.status)]


def support_staff():
    """Users who may be assigned inquiries, by name."""
    return (
        get_user_model().objects.filter(support_staff_filter())
        .order_by("first_name", "last_name", "username")
    )


def new_inquiry_count():
    """How many inquiries nobody has picked up yet."""
    return Contact.objects.filter(status=InquiryStatus.NEW).count()

