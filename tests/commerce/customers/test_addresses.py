"""The address book on the profile page: add, change, delete, make default; one default;
nobody touches anyone else's addresses."""

import pytest
from django.db import IntegrityError, transaction

from commerce.customers.addresses import Address, add_address, delete_address, make_default
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

HOME = {
    "recipient_name": "Ada Lovelace", "address": "12 Analytical Row", "address_line2": "Flat 3",
    "city": "Springfield", "state": "IL", "zip_code": "62704", "country": "US",
    "phone": "5551234567",
}
WORK = {**HOME, "address": "1 Engine House", "address_line2": "", "city": "Portland",
        "state": "OR", "zip_code": "97201-1234"}


def book(customer):
    return [(a.address, a.is_default) for a in customer.addresses.order_by("created_at", "pk")]


def test_a_customer_adds_an_address_from_the_profile_page_and_it_becomes_the_default(
    customer_client, customer
):
    profile = customer_client.get("/accounts/profile/").content.decode()
    assert "No saved addresses yet" in profile

    response = customer_client.post("/accounts/addresses/add/", {**HOME, "phone": "555-123-4567"})

    assert response.status_code == 302
    assert book(customer) == [("12 Analytical Row", True)]
    profile = customer_client.get("/accounts/profile/").content.decode()
    assert "Flat 3<br>Springfield, Illinois 62704" in profile
    assert "Default address" in profile


@pytest.mark.parametrize("zip_code", ["97201", "97201-1234"])
def test_zip_and_zip_plus_four_are_accepted(customer_client, customer, zip_code):
    customer_client.post("/accounts/addresses/add/", {**WORK, "zip_code": zip_code})
    assert customer.addresses.get().zip_code == zip_code


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("zip_code", "9720", "Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789."),
        ("zip_code", "97201-12", "Enter a 5-digit ZIP code, or ZIP+4 such as 12345-6789."),
        ("state", "Oregon", "Select a valid choice. Oregon is not one of the available choices."),
        ("state", "XX", "Select a valid choice. XX is not one of the available choices."),
        ("phone", "555-1234", "Enter a 10-digit phone number, for example 555-123-4567."),
        ("country", "FR", "Select a valid choice. FR is not one of the available choices."),
    ],
)
def test_a_bad_address_is_refused_with_a_field_error(customer_client, customer, field, value,
                                                     error):
    response = customer_client.post("/accounts/addresses/add/", {**WORK, field: value})

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not customer.addresses.exists()


def test_the_state_select_offers_real_states_by_name(customer_client):
    html = customer_client.get("/accounts/addresses/add/").content.decode()
    assert '<option value="OR">Oregon</option>' in html
    assert '<option value="IL">Illinois</option>' in html


def test_a_customer_changes_an_address(customer_client, customer):
    address = add_address(customer, **HOME)

    response = customer_client.post(f"/accounts/addresses/{address.pk}/",
                                    {**HOME, "city": "Chicago", "zip_code": "60601"})

    assert response.status_code == 302
    address.refresh_from_db()
    assert (address.city, address.zip_code, address.is_default) == ("Chicago", "60601", True)


def test_make_default_moves_the_default_to_another_address(customer_client, customer):
    add_address(customer, **HOME)
    work = add_address(customer, **WORK)
    assert book(customer) == [("12 Analytical Row", True), ("1 Engine House", False)]

    customer_client.post(f"/accounts/addresses/{work.pk}/default/")

    assert book(customer) == [("12 Analytical Row", False), ("1 Engine House", True)]


def test_deleting_the_default_promotes_another_and_deleting_the_last_empties_the_book(
    customer_client, customer
):
    home = add_address(customer, **HOME)
    work = add_address(customer, **WORK)

    customer_client.post(f"/accounts/addresses/{home.pk}/delete/")
    assert book(customer) == [("1 Engine House", True)]

    customer_client.post(f"/accounts/addresses/{work.pk}/delete/")
    assert book(customer) == []


def test_deleting_an_address_that_is_not_the_default_keeps_the_default(customer):
    home = add_address(customer, **HOME)
    delete_address(add_address(customer, **WORK))
    assert Address.objects.get().pk == home.pk and Address.objects.get().is_default


def test_delete_and_make_default_only_answer_a_post(customer_client, customer):
    address = add_address(customer, **HOME)
    assert customer_client.get(f"/accounts/addresses/{address.pk}/delete/").status_code == 405
    assert customer_client.get(f"/accounts/addresses/{address.pk}/default/").status_code == 405
    assert customer.addresses.count() == 1


def test_a_customer_never_has_two_default_addresses(customer):
    first = add_address(customer, **HOME)
    second = add_address(customer, make_default=True, **WORK)
    make_default(first)
    assert list(customer.addresses.filter(is_default=True)) == [first]
    with pytest.raises(IntegrityError), transaction.atomic():
        Address.objects.filter(pk=second.pk).update(is_default=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/accounts/addresses/{}/"), ("post", "/accounts/addresses/{}/"),
     ("post", "/accounts/addresses/{}/delete/"), ("post", "/accounts/addresses/{}/default/")],
)
def test_someone_elses_address_is_not_found(customer_client, method, path):
    grace = make_customer("grace", "Grace Hopper")
    hers = add_address(grace, **HOME)
    add_address(grace, **WORK)

    response = getattr(customer_client, method)(path.format(hers.pk), {**HOME, "city": "Nope"})

    assert response.status_code == 404
    hers.refresh_from_db()
    assert (hers.city, hers.is_default) == ("Springfield", True)
    assert grace.addresses.count() == 2


def test_the_address_book_needs_a_log_in(client):
    response = client.get("/accounts/addresses/add/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
