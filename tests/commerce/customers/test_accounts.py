import re
import time
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.customers.accounts import customer_for, email_is_confirmed
from commerce.customers.models import Customer
from config.env import tasks_config
from tests.factories import (
    SIGN_UP,
    make_customer,
    make_placed_order,
    make_product,
    make_staff_user,
)

pytestmark = pytest.mark.django_db


def test_sign_up_creates_the_user_and_customer_and_logs_in(client):
    response = client.post("/accounts/signup/", SIGN_UP)

    assert response.status_code == 302
    customer = Customer.objects.get(user__username="grace")
    assert (customer.name, customer.email, customer.phone) == (
        "Grace Hopper", "grace@example.com", "5550102020"
    )
    assert (customer.user.first_name, customer.user.last_name) == ("Grace", "Hopper")
    assert client.get("/accounts/profile/").status_code == 200


def test_sign_up_shows_field_errors_and_creates_nothing(client):
    make_customer("taken", email="grace@example.com")
    response = client.post(
        "/accounts/signup/", {**SIGN_UP, "phone": "12345", "password2": "something-else"}
    )
    form = response.context["form"]
    assert form.errors["phone"] == ["Enter a 10-digit phone number, for example 555-123-4567."]
    assert form.errors["email"] == [
        "An account with this email address already exists. Log in, or reset your password."
    ]
    assert "password2" in form.errors
    assert 'value="Grace Hopper"' in response.content.decode()
    assert not get_user_model().objects.filter(username="grace").exists()


def test_sign_up_ignores_an_offsite_next_address(client):
    response = client.post("/accounts/signup/", {**SIGN_UP, "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_log_in_and_log_out(client, customer):
    page = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">' in page
    response = client.post(
        "/accounts/login/", {"username": "ada", "password": "shop-test-pass"}
    )
    assert response.status_code == 302
    header = client.get("/cart/").content.decode()
    assert "My orders" in header and 'action="/accounts/logout/"' in header

    client.post("/accounts/logout/")
    header = client.get("/cart/").content.decode()
    assert "Log in" in header and "Sign up" in header
    assert client.get("/accounts/orders/").status_code == 302


def test_wrong_password_is_an_error_on_the_login_page(client, customer):
    response = client.post("/accounts/login/", {"username": "ada", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_password_reset_by_email(client, customer):
    response = client.post("/accounts/password_reset/", {"email": "ADA@example.com"})
    assert response["Location"] == "/accounts/password_reset/done/"

    (email,) = mail.outbox
    assert email.to == ["ada@example.com"]
    assert email.subject == "Reset your Storefront password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", email.body)[1]
    assert link in email.alternatives[0][0]

    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-secret", "new_password2": "a-brand-new-secret"},
    )
    logged_in = client.post(
        "/accounts/login/", {"username": "ada", "password": "a-brand-new-secret"}
    )
    assert logged_in.status_code == 302


def test_password_reset_for_an_unknown_address_sends_nothing_but_looks_the_same(client,
                                                                                 customer):
    def reset(email):
        response = client.post("/accounts/password_reset/", {"email": email})
        page = client.get(response["Location"])
        return (response.status_code, response["Location"], page.status_code, page.content,
                sorted({template.name for template in response.templates}))

    known = reset("ada@example.com")
    sent = len(mail.outbox)
    unknown = reset("nobody@example.com")

    assert unknown == known
    # The same templates were rendered (the email's too), so it took about as long.
    assert "registration/emails/password_reset.html" in unknown[-1]
    assert len(mail.outbox) == sent == 1


def confirmation_link(email):
    return re.search(r"http://testserver(/accounts/confirm-email/\S+/)", email.body)[1]


def test_sign_up_emails_a_link_that_confirms_the_address(client):
    response = client.post("/accounts/signup/", {**SIGN_UP, "next": "/accounts/profile/"},
                           follow=True)
    assert "We sent a link to grace@example.com" in response.content.decode()
    customer = Customer.objects.get(user__username="grace")
    assert not email_is_confirmed(customer)
    (email,) = mail.outbox
    assert email.to == ["grace@example.com"]
    assert email.subject == "Confirm your email address for Storefront"

    page = client.get(confirmation_link(email), follow=True).content.decode()

    assert "Thank you: grace@example.com is confirmed." in page
    customer.refresh_from_db()
    assert email_is_confirmed(customer)


def test_a_new_email_address_takes_effect_only_once_confirmed(customer_client, customer):
    response = customer_client.post(
        "/accounts/profile/",
        {"name": "Samantha Shopper", "email": "sam@example.org", "phone": "555 765 4321"},
        follow=True,
    )
    page = response.content.decode()
    assert "Your details were saved." in page
    assert "We sent a link to sam@example.org: your email address changes when you open it." in page
    customer.refresh_from_db()
    assert (customer.name, customer.email, customer.phone) == (
        "Samantha Shopper", "ada@example.com", "5557654321"
    )
    assert customer.user.email == "ada@example.com"
    (email,) = mail.outbox
    assert email.to == ["sam@example.org"]

    customer_client.get(confirmation_link(email))

    customer.refresh_from_db()
    customer.user.refresh_from_db()
    assert (customer.email, customer.user.email) == ("sam@example.org", "sam@example.org")
    assert email_is_confirmed(customer)


def test_a_confirmation_link_stops_working_once_the_address_changed(customer_client, customer):
    for address in ("first@example.org", "second@example.org"):
        customer_client.post(
            "/accounts/profile/", {"name": "Ada", "email": address, "phone": "555 765 4321"}
        )
    first, second = mail.outbox
    customer_client.get(confirmation_link(second))

    page = customer_client.get(confirmation_link(first), follow=True).content.decode()

    assert "no longer valid: your email address has changed" in page
    customer.refresh_from_db()
    assert customer.email == "second@example.org"


def test_a_tampered_or_expired_confirmation_link_changes_nothing(customer_client, customer):
    customer_client.post("/accounts/profile/", {"name": "Ada", "email": "new@example.org",
                                                "phone": "555 765 4321"})
    link = confirmation_link(mail.outbox[0])
    page = customer_client.get(link[:-3] + "xx/", follow=True).content.decode()
    assert "This confirmation link is not valid." in page
    four_days_later = time.time() + 4 * 24 * 60 * 60
    with mock.patch("django.core.signing.time.time", return_value=four_days_later):
        page = customer_client.get(link, follow=True).content.decode()
    assert "This confirmation link has expired." in page
    customer.refresh_from_db()
    assert customer.email == "ada@example.com" and not email_is_confirmed(customer)


def test_an_address_taken_meanwhile_cannot_be_confirmed(customer_client, customer):
    customer_client.post("/accounts/profile/", {"name": "Ada", "email": "new@example.org",
                                                "phone": "555 765 4321"})
    make_customer("other", email="NEW@example.org")
    page = customer_client.get(confirmation_link(mail.outbox[0]), follow=True).content.decode()
    assert "Another account now uses this email address" in page
    customer.refresh_from_db()
    assert customer.email == "ada@example.com"


def test_customers_cannot_share_an_email_address_whatever_its_case(customer):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_customer("other", email="ADA@Example.com")


def test_profile_edit_refuses_a_bad_phone(customer_client, customer):
    customer.phone = "5551234567"
    customer.save()
    response = customer_client.post(
        "/accounts/profile/", {"name": "Sam", "email": "sam@example.org", "phone": "call me"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    customer.refresh_from_db()
    assert customer.phone == "5551234567"


def test_staff_without_a_customer_profile_can_still_shop(client, work_laptop):
    staff = get_user_model().objects.create_user(
        "editor", "editor@example.com", "pw", first_name="Eddie", last_name="Editor"
    )
    client.force_login(staff)
    assert client.get("/accounts/profile/").status_code == 200
    assert Customer.objects.get(user=staff).name == "Eddie Editor"


def test_staff_browsing_the_shop_get_no_customer_profile_until_they_shop(client, work_laptop):
    staff = make_staff_user()
    client.force_login(staff)

    assert client.get(work_laptop.url).status_code == 200
    assert customer_for(staff) is None
    assert not Customer.objects.filter(user=staff).exists()

    assert customer_for(staff, create=True) == Customer.objects.get(user=staff)


def test_anonymous_visitor_has_no_customer():
    assert customer_for(AnonymousUser()) is None
    assert customer_for(AnonymousUser(), create=True) is None


def test_order_history_lists_only_my_placed_orders(customer_client, customer, work_laptop):
    mine = make_placed_order(customer, (work_laptop, 1))
    theirs = make_placed_order(make_customer("other"), (work_laptop, 2))

    page = customer_client.get("/accounts/orders/").content.decode()

    assert mine.number in page
    assert theirs.number not in page
    assert "$100.00" in page


def test_order_detail_shows_lines_totals_delivery_and_payment(customer_client, customer,
                                                              work_laptop):
    order = make_placed_order(customer, (work_laptop, 4))
    page = customer_client.get(f"/accounts/orders/{order.number}/").content.decode()
    assert f"<h1>Order {order.number}</h1>" in page
    assert "Work Laptop" in page
    assert "−$80.00" in page and "$320.00" in page
    assert "1 Market Street" in page
    assert "Cash on delivery" in page


@pytest.mark.parametrize("url", ["/accounts/orders/{}/", "/checkout/thank-you/{}/"])
def test_another_customers_order_answers_404(customer_client, work_laptop, url):
    theirs = make_placed_order(make_customer("other"), (work_laptop, 1))
    assert customer_client.get(url.format(theirs.number)).status_code == 404


def test_a_cart_is_not_an_order_page(customer_client, customer, work_laptop):
    order = make_placed_order(customer, (work_laptop, 1))
    assert customer_client.get("/accounts/orders/None/").status_code == 404
    assert customer_client.get(f"/accounts/orders/{order.number}x/").status_code == 404


def test_order_pages_need_log_in(client, customer, work_laptop):
    order = make_placed_order(customer, (work_laptop, 1))
    response = client.get(f"/accounts/orders/{order.number}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_order_pages_do_not_query_per_line(customer_client, customer, product_index):
    def queries_for(order):
        customer_client.get(order.get_absolute_url())  # warm Wagtail's site caches
        with CaptureQueriesContext(connection) as queries:
            customer_client.get(order.get_absolute_url())
        return len(queries)

    products = [make_product(product_index, f"Item {number}") for number in range(5)]
    small = make_placed_order(customer, (products[0], 1))
    large = make_placed_order(customer, *[(product, 2) for product in products])
    assert queries_for(large) == queries_for(small)


def change_address_to_sam(customer_client):
    """Save the profile with a new email address; the page the customer lands on."""
    return customer_client.post(
        "/accounts/profile/",
        {"name": "Samantha Shopper", "email": "sam@example.org", "phone": "555 765 4321"},
        follow=True,
    ).content.decode()


def test_a_confirmation_that_could_not_be_emailed_says_so(customer_client, customer, settings):
    settings.EMAIL_BACKEND = "tests.support.email_backends.BrokenSMTPBackend"
    page = change_address_to_sam(customer_client)
    assert "We could not send the confirmation email to sam@example.org" in page
    assert "We sent a link" not in page


def test_a_queued_confirmation_says_it_is_on_its_way(customer_client, customer, settings):
    settings.TASKS = tasks_config("database")
    page = change_address_to_sam(customer_client)
    assert "We will email a link to sam@example.org in the next few minutes" in page
    assert not mail.outbox


def test_the_profile_never_claims_a_link_was_emailed_and_offers_one(customer_client, customer):
    # The customer's address may be unconfirmed with no link ever sent: staff corrected it in
    # the admin, or the sign-up email could not be sent.
    page = customer_client.get("/accounts/profile/").content.decode()
    assert "Your email address is not confirmed yet" in page
    assert "we emailed" not in page.lower()
    assert 'action="/accounts/confirm-email/send/"' in page

    page = customer_client.post("/accounts/confirm-email/send/", follow=True).content.decode()

    assert f"We sent a link to {customer.email} to confirm your email address." in page
    (email,) = mail.outbox
    assert email.to == [customer.email]
    customer_client.get(confirmation_link(email))
    customer.refresh_from_db()
    assert email_is_confirmed(customer)
    assert "not confirmed yet" not in customer_client.get("/accounts/profile/").content.decode()


def test_asking_for_a_link_to_a_confirmed_address_sends_nothing(customer_client, customer):
    customer.email_confirmed_at = timezone.now()
    customer.save()
    page = customer_client.post("/accounts/confirm-email/send/", follow=True).content.decode()
    assert f"{customer.email} is already confirmed." in page
    assert not mail.outbox
    assert customer_client.get("/accounts/confirm-email/send/").status_code == 405
