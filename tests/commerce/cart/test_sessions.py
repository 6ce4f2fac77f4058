"""Sessions are started only for a cart, and cleared with their carts once they expire."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from commerce.cart.models import AnonymousCart
from tests.factories import make_contact_page, make_product

pytestmark = pytest.mark.django_db


def add(client, product):
    return client.post("/cart/add/", {"product": product.pk, "quantity": 1})


def test_no_public_page_starts_a_session_for_a_new_visitor(client, home_page, product_index):
    laptop = make_product(product_index, "Visible Laptop")
    make_contact_page(home_page)
    pages = ["/", "/shop/", laptop.url, "/search/?query=laptop", "/cart/", "/checkout/",
             "/contact/", "/accounts/login/", "/accounts/signup/"]

    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert settings.SESSION_COOKIE_NAME not in response.cookies, url

    assert not Session.objects.exists()


def test_adding_to_the_cart_starts_the_session_that_keeps_it(client, work_laptop):
    response = add(client, work_laptop)
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert Session.objects.count() == AnonymousCart.objects.count() == 1


def test_clearing_removes_expired_sessions_and_their_carts_only(client, work_laptop, capsys):
    add(client, work_laptop)
    kept = AnonymousCart.objects.get()
    other = type(client)()
    add(other, work_laptop)
    Session.objects.exclude(session_key=kept.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    AnonymousCart.objects.create(session_key="a-session-deleted-long-ago")

    call_command("clear_expired_carts")

    assert "Cleared expired sessions and 2 anonymous carts whose session had ended." in (
        capsys.readouterr().out
    )
    assert list(AnonymousCart.objects.all()) == [kept]
    assert list(Session.objects.values_list("session_key", flat=True)) == [kept.session_key]
    assert "Work Laptop" in client.get("/cart/").content.decode()


def test_clearing_carts_refuses_when_sessions_are_not_in_the_database(settings, work_laptop,
                                                                      client):
    add(client, work_laptop)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    with pytest.raises(CommandError, match="only cleared when sessions live in the database"):
        call_command("clear_expired_carts")
    assert AnonymousCart.objects.count() == 1
