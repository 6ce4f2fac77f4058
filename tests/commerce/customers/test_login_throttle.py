"""Log-in throttling on the shop's and the Wagtail admin's log-in pages."""

import pytest
from django.test import RequestFactory

from home.shared.client_address import client_address
from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db

LOCKED = "Too many log-in attempts"


def log_in(client, username, password, url="/accounts/login/", address="203.0.113.7"):
    return client.post(url, {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_the_right_password_is_refused_after_five_wrong_ones_for_that_username(client,
                                                                                 customer):
    for _ in range(4):
        assert log_in(client, "ada", "wrong").status_code == 200
    locked = log_in(client, "ada", "wrong")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()

    response = log_in(client, "ada", "shop-test-pass", address="198.51.100.1")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_then_the_right_one_logs_in(client, customer):
    for _ in range(4):
        log_in(client, "ada", "wrong")
    assert log_in(client, "ada", "shop-test-pass").status_code == 302


def test_an_address_trying_many_usernames_is_locked_out_at_twenty(client, customer):
    for number in range(19):
        assert log_in(client, f"guess{number}", "wrong").status_code == 200
    assert log_in(client, "guess19", "wrong").status_code == 429
    assert log_in(client, "ada", "shop-test-pass").status_code == 429
    # Another shopper, from elsewhere, is not affected.
    assert log_in(client, "ada", "shop-test-pass", address="198.51.100.1").status_code == 302


def test_the_limits_follow_the_settings(client, customer, settings):
    settings.AXES_FAILURE_LIMIT = settings.LOGIN_FAILURES_PER_USERNAME = 2
    log_in(client, "ada", "wrong")
    assert log_in(client, "ada", "wrong").status_code == 429


def test_the_lockout_says_how_long_to_wait(client, customer):
    for _ in range(5):
        response = log_in(client, "ada", "wrong")
    page = response.content.decode()
    assert "Try again in 15 minutes." in page
    assert 'href="/accounts/password_reset/"' in page


def test_the_wagtail_admin_log_in_is_throttled_too(client):
    make_staff_user("editor")
    for _ in range(5):
        response = log_in(client, "editor", "wrong", url="/admin/login/")
    assert response.status_code == 429
    response = log_in(client, "editor", "staff-test-pass", url="/admin/login/")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def request_from(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_a_forwarded_for_header_is_ignored_unless_a_trusted_proxy_sent_it(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert client_address(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_behind_the_proxy_the_address_it_saw_counts_not_what_the_client_claimed(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # nginx appends the address it saw to whatever the client sent.
    assert client_address(request_from("127.0.0.1", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_address(request_from("127.0.0.1", "203.0.113.7, 10.0.0.5")) == "203.0.113.7"
    assert client_address(request_from("127.0.0.1", "junk")) == "127.0.0.1"
    assert client_address(request_from("127.0.0.1")) == "127.0.0.1"


def test_shoppers_behind_the_proxy_are_throttled_by_their_own_address(client, customer,
                                                                       settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for number in range(20):
        client.post("/accounts/login/", {"username": f"guess{number}", "password": "x"},
                    REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    response = client.post("/accounts/login/", {"username": "ada", "password": "shop-test-pass"},
                           REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert response.status_code == 302
