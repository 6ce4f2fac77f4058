"""Shop emails: rendered from a text and an HTML template, recorded, sent through the task queue.

Orders, support and password resets all send mail through `send_shop_email` (or
`send_password_reset_email`), so the request never waits on the mail server: with the
immediate task backend (dev, tests) the mail goes at once; in production a worker sends it.

Every email is an `OutgoingEmail` record whose status says what really happened: queued,
sent, or failed. The task queue carries only the record's id. A failed attempt is tried again
later, up to `EMAIL_MAX_ATTEMPTS` times with a doubling delay (when the task backend can
defer tasks: the immediate one cannot, so there the first failure is final); then it is
logged at ERROR, which mails ADMINS, and stays listed for staff to resend.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from home.shared.models import EmailStatus, OutgoingEmail
from home.shared.public_address import shop_url
from home.shared.seller import current_seller
from home.shared.unsubscribe import has_opted_out, unsubscribe_headers, unsubscribe_url

logger = logging.getLogger(__name__)

PASSWORD_RESET_TEMPLATE = "registration/emails/password_reset"
# Every email ends with who sells: the HTML one through emails/base.html, the text one here.
SELLER_FOOTER_TEXT = "emails/seller_footer.txt"


class EmailNotResendable(Exception):
    """Staff asked to resend an email that has not failed."""


def absolute_url(path):
    """`path` (as from `reverse` or `get_absolute_url`) on the shop's public address
    (SHOP_BASE_URL), for links in emails, which have no request to build them from."""
    return shop_url(path)


@task()
def deliver_email(email_id):
    """Make one attempt at sending the OutgoingEmail `email_id`, if it is still waiting."""
    email = OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.QUEUED).first()
    if email is not None:
        attempt_delivery(email)


def send_shop_email(template_prefix, context, to, reply_to=None, *, about=None):
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and `<prefix>.html`, record and queue it.

    Returns the OutgoingEmail: its status is SENT or FAILED when the task backend ran it at
    once, QUEUED when a worker will. A failure is logged and recorded, never raised: the
    caller's record (an order, an inquiry) is already safe and must not be lost because a
    mail server is down. `about` links the email to the order or inquiry it concerns. Both
    bodies end with the seller's name, address and support email (home.shared.seller).
    """
    context = _with_seller(context)
    email = OutgoingEmail(
        template=template_prefix,
        to=list(to),
        reply_to=list(reply_to or []),
        subject=_render_subject(template_prefix, context),
        text_body=_render_text_body(template_prefix, context),
        html_body=render_to_string(f"{template_prefix}.html", context),
        about=about,
    )
    return _record_and_queue(email)


def send_marketing_email(template_prefix, context, to, *, about=None):
    """As send_shop_email, to one address, for an email the shopper did not ask for by
    ordering (a cart reminder, a back-in-stock alert): nothing is sent, and None returned, if
    `to` unsubscribed; otherwise both bodies end with a one-click unsubscribe link, also given
    in the List-Unsubscribe headers (home.shared.unsubscribe)."""
    if has_opted_out(to):
        return None
    context = _with_seller({**context, "unsubscribe_url": unsubscribe_url(to)})
    email = OutgoingEmail(
        template=template_prefix,
        to=[to],
        subject=_render_subject(template_prefix, context),
        text_body=_render_text_body(template_prefix, context),
        html_body=render_to_string(f"{template_prefix}.html", context),
        headers=unsubscribe_headers(to),
        about=about,
    )
    return _record_and_queue(email)


def send_password_reset_email(user, to, *, domain, protocol):
    """Queue `user`'s password reset email. The link is made when the email is sent, from a
    fresh token, so neither the queue nor the record ever holds it."""
    send_time_context = {
        "domain": domain, "protocol": protocol, "shop_name": settings.WAGTAIL_SITE_NAME,
    }
    email = OutgoingEmail(
        template=PASSWORD_RESET_TEMPLATE,
        to=[to],
        subject=_render_subject(PASSWORD_RESET_TEMPLATE, {**send_time_context, "user": user}),
        reset_password_of=user,
        send_time_context=send_time_context,
    )
    return _record_and_queue(email)


def resend_email(email):
    """Send a failed email again, with a fresh count of attempts; returns it with its status."""
    check_resendable(email)
    email.status = EmailStatus.QUEUED
    email.attempts = 0
    email.next_attempt_at = None
    email.save(update_fields=["status", "attempts", "next_attempt_at"])
    _queue(email)
    email.refresh_from_db()
    return email


def check_resendable(email):
    """Raise EmailNotResendable unless `email` failed (a queued one is still being tried)."""
    if email.status != EmailStatus.FAILED:
        raise EmailNotResendable(
            f"Email #{email.pk} is {email.get_status_display().lower()}, not failed: "
            "only failed emails can be sent again."
        )


def attempt_delivery(email):
    """Try to send `email` once; on failure, schedule the next try or give up."""
    email.attempts += 1
    try:
        _message(email).send()
    except Exception as error:
        email.last_error = f"{type(error).__name__}: {error}"
        if email.attempts < settings.EMAIL_MAX_ATTEMPTS and _backend_can_defer():
            _schedule_retry(email)
        else:
            _give_up(email, error)
        return
    email.status = EmailStatus.SENT
    email.sent_at = timezone.now()
    email.next_attempt_at = None
    email.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at"])


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failed try: EMAIL_RETRY_SECONDS, doubled each
    time."""
    return timedelta(seconds=settings.EMAIL_RETRY_SECONDS * 2 ** (attempts - 1))


def render_plain_text(template_name, context):
    """Render a plain-text template without HTML escaping: in a subject or a text body,
    `Tom & Jerry` must stay `Tom & Jerry`, not become `Tom &amp; Jerry`."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _with_seller(context):
    return {"seller": current_seller(), **context}


def _render_text_body(template_prefix, context):
    return render_plain_text(f"{template_prefix}.txt", context) + render_plain_text(
        SELLER_FOOTER_TEXT, context
    )


def _render_subject(template_prefix, context):
    return " ".join(render_plain_text(f"{template_prefix}_subject.txt", context).split())


def _record_and_queue(email):
    email.save()
    try:
        _queue(email)
    except Exception as error:
        # The queue itself is unreachable: nothing will send this email unless staff resend it.
        email.attempts += 1
        email.last_error = f"Could not be queued: {type(error).__name__}: {error}"
        email.status = EmailStatus.FAILED
        email.save(update_fields=["attempts", "last_error", "status"])
        logger.exception(
            "Could not send the email #%s %r to %s", email.pk, email.subject, ", ".join(email.to)
        )
        return email
    email.refresh_from_db()
    return email


def _queue(email, run_after=None):
    task = deliver_email.using(run_after=run_after) if run_after else deliver_email
    task.enqueue(email.pk)


def _schedule_retry(email):
    email.next_attempt_at = timezone.now() + retry_delay(email.attempts)
    email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    try:
        _queue(email, run_after=email.next_attempt_at)
    except Exception as error:
        email.last_error += f"; the next attempt could not be queued: {error}"
        _give_up(email, error)
        return
    logger.warning(
        "Email #%s %r to %s failed (attempt %d of %d), trying again at %s: %s",
        email.pk, email.subject, ", ".join(email.to), email.attempts,
        settings.EMAIL_MAX_ATTEMPTS, email.next_attempt_at.isoformat(), email.last_error,
    )


def _give_up(email, error):
    email.status = EmailStatus.FAILED
    email.next_attempt_at = None
    email.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    logger.error(
        "Gave up on email #%s %r to %s after %d attempt(s): %s. Staff can send it again "
        "with `manage.py resend_failed_emails %s`.",
        email.pk, email.subject, ", ".join(email.to), email.attempts, email.last_error,
        email.pk, exc_info=(type(error), error, error.__traceback__),
    )


def _message(email):
    text_body, html_body = email.text_body, email.html_body
    if email.reset_password_of_id:
        text_body, html_body = _password_reset_bodies(email)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        reply_to=email.reply_to or None,
        headers=email.headers or None,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    return message


def _password_reset_bodies(email):
    user = email.reset_password_of
    return render_password_reset_bodies({
        **email.send_time_context,
        "user": user,
        "email": email.to[0],
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    })


def render_password_reset_bodies(context):
    """The (text, HTML) bodies of a password reset email, ending with the seller; also made,
    and not sent, for an unknown address, so that answering takes about as long."""
    context = _with_seller(context)
    return (
        _render_text_body(PASSWORD_RESET_TEMPLATE, context),
        render_to_string(f"{PASSWORD_RESET_TEMPLATE}.html", context),
    )


def _backend_can_defer():
    return deliver_email.get_backend().supports_defer
