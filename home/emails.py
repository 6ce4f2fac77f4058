"""Shop emails: rendered from a text and an HTML template, sent through the task queue.

Orders and support both send mail through `send_shop_email`, so the request never waits on
the mail server: with the immediate task backend (dev, tests) the mail goes at once; in
production a worker sends it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def deliver_email(subject, text_body, html_body, to, reply_to=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body=text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to or None,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def send_shop_email(template_prefix, context, to, reply_to=None):
    """Render `<prefix>_subject.txt`, `<prefix>.txt` and `<prefix>.html` and queue the email.

    Returns True when the email was handed to the queue. A failure is logged and reported as
    False, never raised: the caller's record (an order, an inquiry) is already safe and must
    not be lost because a mail server is down.
    """
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text_body = render_to_string(f"{template_prefix}.txt", context)
    html_body = render_to_string(f"{template_prefix}.html", context)
    try:
        deliver_email.enqueue(subject, text_body, html_body, list(to), list(reply_to or []))
    except Exception:
        logger.exception("Could not send the email %r to %s", subject, ", ".join(to))
        return False
    return True
