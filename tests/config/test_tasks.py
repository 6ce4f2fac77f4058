"""Shop emails under the production task settings: queued by the request, sent by the worker."""

import pytest
from django.core import mail
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from config.env import tasks_config
from home.shared.emails import send_shop_email
from home.shared.models import EmailStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome_email(settings, tmp_path):
    """A shop email template set, `test/welcome`, in a template folder of its own."""
    folder = tmp_path / "test"
    folder.mkdir()
    (folder / "welcome_subject.txt").write_text("Welcome, {{ name }}\n")
    (folder / "welcome.txt").write_text("Hello {{ name }}, your account is ready.\n")
    (folder / "welcome.html").write_text("<p>Hello {{ name }}, your account is ready.</p>\n")
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path, *engine["DIRS"]]}]
    return "test/welcome"


def run_as_the_worker(queued):
    """Run a queued task from what was stored, as `manage.py db_worker` does.

    (The worker command itself runs in CI's production smoke test: it needs transactions of
    its own, which a test inside a transaction cannot give it.)
    """
    result = queued.task_result
    result.task.call(*result.args, **result.kwargs)


def test_under_production_task_settings_an_email_is_queued_not_sent(
    settings, welcome_email
):
    settings.TASKS = tasks_config("database")

    email = send_shop_email(welcome_email, {"name": "Ada"}, ["ada@example.com"])

    assert email.status == EmailStatus.QUEUED
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.status == TaskResultStatus.READY
    assert queued.task_path == "home.shared.emails.deliver_email"

    run_as_the_worker(queued)

    email.refresh_from_db()
    assert email.status == EmailStatus.SENT

    assert [(email.subject, email.to) for email in mail.outbox] == [
        ("Welcome, Ada", ["ada@example.com"])
    ]
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_in_development_and_tests_an_email_is_sent_at_once(welcome_email):
    email = send_shop_email(welcome_email, {"name": "Grace"}, ["grace@example.com"])

    assert email.status == EmailStatus.SENT

    assert [email.subject for email in mail.outbox] == ["Welcome, Grace"]
    assert not DBTaskResult.objects.exists()
