import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class BrokenSMTPBackend(BaseEmailBackend):
    """Behaves like a mail server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
