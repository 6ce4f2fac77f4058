"""What becomes of a shop email when the mail server is down: tried again, given up on and
reported to ADMINS, listed for staff, resent; and how long finished tasks are kept."""

import datetime
import logging
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from config.env import tasks_config
from home.shared.emails import absolute_url, send_shop_email
from home.shared.models import EmailStatus, OutgoingEmail
from tests.config.test_tasks import run_as_the_worker, welcome_email  # noqa: F401

pytestmark = pytest.mark.django_db

BROKEN_SMTP = "tests.support.email_backends.BrokenSMTPBackend"


@pytest.fixture
def queued_in_database(settings):
    settings.TASKS = tasks_config("database")
    settings.EMAIL_MAX_ATTEMPTS = 3
    settings.EMAIL_RETRY_SECONDS = 60


def waiting_tasks():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY).order_by("enqueued_at")


def run_next_task():
    task = waiting_tasks().first()
    run_as_the_worker(task)
    # What db_worker records once the task has run.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )
    return task


def test_a_failed_email_is_tried_again_later_with_a_growing_delay(
    settings, queued_in_database, welcome_email  # noqa: F811
):
    settings.EMAIL_BACKEND = BROKEN_SMTP
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    run_next_task()
    retry = waiting_tasks().get()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.QUEUED, 1)
    assert "SMTPServerDisconnected" in email.last_error
    assert retry.run_after == email.next_attempt_at
    first_delay = retry.run_after - timezone.now()
    assert datetime.timedelta(seconds=55) < first_delay <= datetime.timedelta(seconds=60)

    run_next_task()
    retry = waiting_tasks().get()
    second_delay = retry.run_after - timezone.now()
    assert datetime.timedelta(seconds=115) < second_delay <= datetime.timedelta(seconds=120)


def test_an_email_that_works_on_a_retry_is_marked_sent(
    settings, queued_in_database, welcome_email  # noqa: F811
):
    settings.EMAIL_BACKEND = BROKEN_SMTP
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])
    run_next_task()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    run_next_task()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (EmailStatus.SENT, 2, None)
    assert [message.subject for message in mail.outbox] == ["Welcome, Ada"]
    assert not waiting_tasks().exists()


def test_after_the_last_attempt_the_email_is_failed_and_admins_are_told(
    settings, queued_in_database, welcome_email, caplog  # noqa: F811
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_BACKEND = "tests.support.email_backends.CustomersUnreachableBackend"
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    with caplog.at_level(logging.WARNING, logger="home.shared.emails"):
        for _ in range(3):
            run_next_task()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (EmailStatus.FAILED, 3)
    assert not waiting_tasks().exists()
    (report,) = mail.outbox
    assert report.to == ["ops@example.com"]
    assert f"Gave up on email #{email.pk}" in report.subject
    assert "SMTPRecipientsRefused" in report.body
    assert f"resend_failed_emails {email.pk}" in report.body
    assert [record.levelname for record in caplog.records] == ["WARNING", "WARNING", "ERROR"]


def test_when_admins_cannot_be_mailed_either_giving_up_does_not_crash_the_worker(
    settings, queued_in_database, welcome_email, caplog  # noqa: F811
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    settings.EMAIL_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = BROKEN_SMTP
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    with caplog.at_level(logging.ERROR, logger="home.shared.emails"):
        run_next_task()

    email.refresh_from_db()
    assert email.status == EmailStatus.FAILED
    assert "Gave up on email" in caplog.text


def test_with_the_immediate_backend_a_failure_is_final_at_once(
    settings, welcome_email, caplog  # noqa: F811
):
    settings.EMAIL_BACKEND = BROKEN_SMTP

    with caplog.at_level(logging.ERROR, logger="home.shared.emails"):
        email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    assert (email.status, email.attempts) == (EmailStatus.FAILED, 1)
    assert "Gave up on email" in caplog.text


def test_the_task_queue_holds_only_the_email_number(
    queued_in_database, welcome_email  # noqa: F811
):
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    assert DBTaskResult.objects.get().args_kwargs == {"args": [email.pk], "kwargs": {}}


@pytest.fixture
def failed_email(settings, welcome_email):  # noqa: F811
    settings.EMAIL_BACKEND = BROKEN_SMTP
    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return email


def test_staff_list_the_failed_emails_with_their_error(failed_email):
    out = StringIO()
    call_command("resend_failed_emails", stdout=out)

    assert f"#{failed_email.pk}" in out.getvalue()
    assert "Welcome, Ada to ada@example.com" in out.getvalue()
    assert "SMTPServerDisconnected" in out.getvalue()
    assert "1 failed email(s)." in out.getvalue()
    assert mail.outbox == []


def test_staff_resend_a_failed_email_and_it_arrives(failed_email):
    out = StringIO()
    call_command("resend_failed_emails", str(failed_email.pk), stdout=out)

    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
    failed_email.refresh_from_db()
    assert failed_email.status == EmailStatus.SENT
    assert "1 email(s) resent." in out.getvalue()


def test_resending_all_failed_emails_reports_those_failing_again(settings, failed_email):
    settings.EMAIL_BACKEND = BROKEN_SMTP

    with pytest.raises(CommandError, match="1 of 1 email"):
        call_command("resend_failed_emails", "--all", stdout=StringIO())


def test_a_sent_or_unknown_email_is_not_resent(welcome_email):  # noqa: F811
    sent = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    with pytest.raises(CommandError, match="is sent, not failed"):
        call_command("resend_failed_emails", str(sent.pk))
    with pytest.raises(CommandError, match="No email numbered 999"):
        call_command("resend_failed_emails", "999")
    assert len(mail.outbox) == 1


def test_prune_tasks_deletes_finished_tasks_and_sent_emails_past_the_age(
    settings, queued_in_database, welcome_email  # noqa: F811
):
    old = send_shop_email(welcome_email, {"name": "Old"}, ["old@example.com"])
    run_next_task()
    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(days=8))
    OutgoingEmail.objects.filter(pk=old.pk).update(
        sent_at=timezone.now() - datetime.timedelta(days=8)
    )
    recent = send_shop_email(welcome_email, {"name": "New"}, ["new@example.com"])
    run_next_task()
    waiting = send_shop_email(welcome_email, {"name": "Waiting"}, ["wait@example.com"])

    out = StringIO()
    call_command("prune_tasks", "--older-than-days", "7", stdout=out)

    assert list(OutgoingEmail.objects.order_by("pk")) == [recent, waiting]
    assert DBTaskResult.objects.count() == 2  # the recent one, and the one still waiting
    assert "Deleted 1 finished task(s) older than 7 day(s)." in out.getvalue()


def test_prune_tasks_keeps_the_setting_days_by_default(settings, queued_in_database,
                                                       welcome_email):  # noqa: F811
    settings.TASKS_KEEP_DAYS = 30
    send_shop_email(welcome_email, {"name": "Old"}, ["old@example.com"])
    run_next_task()
    DBTaskResult.objects.update(finished_at=timezone.now() - datetime.timedelta(days=8))

    call_command("prune_tasks", stdout=StringIO())

    assert DBTaskResult.objects.count() == 1


def test_prune_tasks_refuses_a_negative_age():
    with pytest.raises(CommandError, match="0 or more"):
        call_command("prune_tasks", "--older-than-days", "-1")


@pytest.mark.parametrize("base_url", ["https://shop.example.com", "https://shop.example.com/"])
def test_links_in_emails_are_on_the_shops_public_address(settings, base_url):
    settings.SHOP_BASE_URL = base_url
    assert absolute_url("/accounts/orders/A1/") == "https://shop.example.com/accounts/orders/A1/"
