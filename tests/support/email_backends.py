import smtplib

from django.conf import settings
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend


class BrokenSMTPBackend(BaseEmailBackend):
    """Behaves like a mail server that is down, seen through Django's SMTP backend (which
    stays quiet when asked to fail silently, as the mail to ADMINS does)."""

    def send_messages(self, email_messages):
        if self.fail_silently:
            return 0
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class CustomersUnreachableBackend(locmem.EmailBackend):
    """A mail server that refuses every message except those to ADMINS (kept in mail.outbox)."""

    def send_messages(self, email_messages):
        admins = {address for _, address in settings.ADMINS}
        for message in email_messages:
            if not set(message.to) <= admins:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"Mailbox full")})
        return super().send_messages(email_messages)
