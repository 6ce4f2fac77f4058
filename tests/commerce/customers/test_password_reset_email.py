"""A password reset link is made when its email is sent: the task queue and the email record
hold only the account, so neither a backup nor a look at the queue gives away a link."""

import json
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from config.env import tasks_config
from home.shared.models import OutgoingEmail
from tests.config.test_tasks import run_as_the_worker

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://testserver(/accounts/reset/\S+/)")


def test_a_queued_password_reset_stores_no_link_and_the_sent_link_works(
    client, customer, settings
):
    settings.TASKS = tasks_config("database")
    client.post("/accounts/password_reset/", {"email": "ada@example.com"})

    queued = DBTaskResult.objects.get()
    record = OutgoingEmail.objects.get()
    stored = json.dumps(queued.args_kwargs) + json.dumps(
        [record.subject, record.text_body, record.html_body, record.send_time_context]
    )
    assert "/accounts/reset/" not in stored
    assert queued.args_kwargs == {"args": [record.pk], "kwargs": {}}
    assert mail.outbox == []

    run_as_the_worker(queued)

    (email,) = mail.outbox
    link = LINK.search(email.body)[1]
    assert link in email.alternatives[0][0]
    assert "/accounts/reset/" not in json.dumps(
        list(OutgoingEmail.objects.values("text_body", "html_body"))
    )
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()


def test_a_password_reset_email_resent_later_carries_a_link_that_works(
    client, customer, settings
):
    settings.EMAIL_BACKEND = "tests.support.email_backends.BrokenSMTPBackend"
    client.post("/accounts/password_reset/", {"email": "ada@example.com"})
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    call_command("resend_failed_emails", "--all")

    link = LINK.search(mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
