"""What operators see: one JSON line per event, error emails to ADMINS, quiet probes."""

import json
import logging
import sys

from django.core import mail

from config.json_logging import GunicornAccessFormatter, JsonFormatter


def log_record(name, level, message, *args, exc_info=None, **extra):
    return logging.getLogger(name).makeRecord(
        name, level, __file__, 1, message, args, exc_info, extra=extra
    )


def test_a_request_error_is_one_json_line_with_the_request_and_the_traceback(rf):
    try:
        raise ValueError("Card declined")
    except ValueError:
        exc_info = sys.exc_info()
    record = log_record(
        "django.request", logging.ERROR, "Internal Server Error: %s", "/checkout/",
        exc_info=exc_info, status_code=500, request=rf.post("/checkout/"),
    )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    event = json.loads(line)
    assert event["level"] == "ERROR"
    assert event["logger"] == "django.request"
    assert event["message"] == "Internal Server Error: /checkout/"
    assert (event["method"], event["path"], event["status"]) == ("POST", "/checkout/", 500)
    assert "ValueError: Card declined" in event["exception"]


def test_gunicorn_access_lines_carry_the_request_as_fields():
    # Gunicorn logs its access line with a dict of request "atoms" as the argument.
    atoms = {
        "m": "GET", "U": "/shop/dell-xps-13/", "q": "", "s": "200", "B": 5120, "M": 42,
        "h": "10.0.0.5", "a": "Mozilla/5.0", "{x-forwarded-for}i": "203.0.113.7",
    }
    record = log_record("gunicorn.access", logging.INFO, '%(h)s "%(r)s" %(s)s', atoms)

    event = json.loads(GunicornAccessFormatter().format(record))

    assert event["message"] == "GET /shop/dell-xps-13/ 200"
    assert event["status"] == 200
    assert event["path"] == "/shop/dell-xps-13/"
    assert event["duration_ms"] == 42
    assert event["forwarded_for"] == "203.0.113.7"
    assert "query" not in event


def test_server_errors_are_emailed_to_the_admins(settings, rf):
    settings.ADMINS = [("Ops", "ops@example.com")]
    logging.getLogger("django.request").error(
        "Internal Server Error: %s", "/checkout/",
        extra={"status_code": 500, "request": rf.get("/checkout/")},
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ops@example.com"]
    assert "/checkout/" in mail.outbox[0].subject


def test_failing_health_probes_are_logged_but_not_emailed(settings, rf, caplog):
    settings.ADMINS = [("Ops", "ops@example.com")]
    logging.getLogger("django.request").error(
        "Service Unavailable: %s", "/readyz",
        extra={"status_code": 503, "request": rf.get("/readyz")},
    )
    assert "Service Unavailable: /readyz" in caplog.text
    assert mail.outbox == []
