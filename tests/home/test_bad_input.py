"""Bad input never gives a 500: every public URL and every public form, fuzzed.

The URL patterns come from the resolver (everything outside /admin/ and /django-admin/), so a
new public view is fuzzed as soon as it is routed. Each pattern gets generated path segments
(any text, NUL bytes and numbers too long for any column included) and generated query
strings, as an anonymous visitor and as a signed-in customer with a placed order. The public
forms get generated field values, one of them always invalid, and must save nothing.
"""

import re
from urllib.parse import quote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.cart.carts import CustomerCart, add_to_cart
from commerce.orders.models import OrderItem
from commerce.reviews.models import Review
from support.models import Contact
from tests.factories import make_contact_page, make_customer, make_placed_order, make_product

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every pattern is fuzzed in one test, twice (anonymous and signed in): fewer examples each.
URL_FUZZ = settings(FUZZ, max_examples=20)

INT, TEXT = "int", "text"


def public_url_patterns():
    """(route, parts) of every URL pattern outside the admin; parts are literal text, INT or
    TEXT (a path argument to generate)."""
    found = []

    def walk(patterns, parts):
        for pattern in patterns:
            here = parts + route_parts(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, here)
            elif isinstance(pattern, URLPattern):
                route = "".join(part if part not in (INT, TEXT) else f"<{part}>" for part in here)
                if not route.startswith(("admin/", "django-admin/")):
                    found.append((route, here))

    walk(get_resolver().url_patterns, [])
    return found


def route_parts(pattern):
    if isinstance(pattern, RoutePattern):
        pieces = re.split(r"<(?:(\w+):)?\w+>", str(pattern))
        # re.split with a group alternates text and converter names (None: str).
        return [
            piece if index % 2 == 0 else (INT if piece == "int" else TEXT)
            for index, piece in enumerate(pieces)
            if piece != ""
        ]
    regex = pattern.regex.pattern.lstrip("^").rstrip("$")
    pieces = re.split(r"(\((?:[^()]|\([^()]*\))*\))", regex)
    return [
        piece if index % 2 == 0 else (INT if piece == r"(\d+)" else TEXT)
        for index, piece in enumerate(pieces)
        if piece != ""
    ]


PUBLIC_URLS = public_url_patterns()

# Text a visitor or a scanner might send: anything printable, NUL and other control bytes,
# and numbers no database column can hold.
huge_number = st.integers(min_value=2**31 - 2, max_value=10**30).map(str)
any_text = st.one_of(
    st.text(min_size=1, max_size=30),
    st.text(alphabet="\x00\x01\"'%<>*:^()-.", min_size=1, max_size=8),
    huge_number,
    st.sampled_from(["-1", "0", "1e9", "9" * 20, "%00", "..", "NaN"]),
)
path_segment = any_text.map(lambda text: quote(text, safe=""))
int_segment = st.one_of(st.integers(min_value=0, max_value=10**30).map(str), path_segment)
# The parameters the shop's pages and the catalogue API read, and any others.
query_keys = st.one_of(
    st.sampled_from(
        [
            "query", "search", "page", "next", "offset", "limit", "order", "fields", "type",
            "child_of", "descendant_of", "ancestor_of", "id", "search_operator", "brand",
            "ram_gb", "html_path", "locale", "translation_of", "slug", "title", "show_in_menus",
            "tags", "format",
        ]
    ),
    st.text(min_size=1, max_size=10),
)
query_strings = st.dictionaries(query_keys, any_text, max_size=4).map(urlencode)


def fuzzed_url(parts, draw):
    url = "/"
    for part in parts:
        if part == INT:
            url += draw(int_segment)
        elif part == TEXT:
            url += draw(path_segment)
        else:
            url += part
    query = draw(query_strings)
    return f"{url}?{query}" if query else url


@pytest.fixture
def shop(product_index):
    """A small live shop: a product, and a customer who has placed an order for it."""
    laptop = make_product(product_index, "Fuzz Laptop", price="100.00")
    customer = make_customer("fuzz")
    order = make_placed_order(customer, (laptop, 1))
    return customer, order


BIGGEST = str(2**63)


@pytest.mark.parametrize(
    "url",
    [
        "/search/?query=%00",
        "/api/v2/products/?search=%00",
        "/accounts/orders/%00/",
        "/accounts/orders/%00/invoice.pdf",
        "/checkout/thank-you/%00/",
        "/accounts/confirm-email/%00/",
        "/%00/",
        f"/api/v2/products/?offset={BIGGEST}",
        f"/api/v2/products/{BIGGEST}/",
        f"/api/v2/products/?child_of={BIGGEST}",
        f"/reviews/{BIGGEST}/",
    ],
)
def test_nul_bytes_and_numbers_beyond_64_bits_are_refused_with_400(client, shop, url):
    customer, _order = shop
    client.force_login(customer.user)

    response = client.get(url)

    assert response.status_code == 400
    assert "the shop cannot read" in response.content.decode()


def test_a_long_number_typed_into_search_is_searched_for_not_refused(client, shop):
    serial = str(2**63)  # one beyond 64 bits, such as a 19-digit serial number

    page = client.get("/search/", {"query": serial})
    api = client.get("/api/v2/products/", {"search": serial})

    assert page.status_code == 200
    assert f"No products match “{serial}”" in page.content.decode()
    assert api.status_code == 200
    assert api.json()["items"] == []


def test_a_nul_byte_in_a_form_is_refused_with_400_and_nothing_is_saved(client, shop):
    before = Contact.objects.count()

    response = client.post("/cart/add/", {"product": "1", "quantity": "1\x00"})

    assert response.status_code == 400
    assert Contact.objects.count() == before
    assert not OrderItem.objects.filter(order__status="cart").exists()


def test_the_largest_64_bit_numbers_still_reach_the_page(client, shop):
    largest = str(2**63 - 1)

    assert client.get(f"/api/v2/products/?offset={largest}").status_code == 200
    assert client.get(f"/reviews/{largest}/").status_code == 302  # to log in
    assert client.get("/search/", {"query": largest}).status_code == 200


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "customer"])
def test_no_public_url_answers_500_whatever_the_path_and_query(client, shop, signed_in):
    customer, _order = shop
    if signed_in:
        client.force_login(customer.user)
    client.raise_request_exception = False

    def fuzz(parts):
        @URL_FUZZ
        @given(st.data())
        def visit(data):
            url = fuzzed_url(parts, data.draw)
            response = client.get(url)
            assert response.status_code < 500, url

        visit()

    # One fuzz per pattern, so that each one gets its share of examples.
    for _route, parts in PUBLIC_URLS:
        fuzz(parts)


# A form field's value that the form can never accept, by construction.
no_digits = st.text(max_size=12).filter(lambda text: not any(char.isdigit() for char in text))


@pytest.fixture
def forms_shop(shop, home_page):
    """The shop, a contact page, and the customer signed in with one unit in their cart."""
    customer, order = shop
    laptop = order.items.get().product
    add_to_cart(CustomerCart(customer), laptop.pk, 1)
    make_contact_page(home_page)
    return customer, laptop


def saved_state():
    """What a valid form post would change: accounts, cart lines, inquiries, reviews."""
    return (
        get_user_model().objects.count(),
        sorted(OrderItem.objects.values_list("order_id", "product_id", "quantity")),
        Contact.objects.count(),
        Review.objects.count(),
    )


def public_forms(laptop):
    """(address, fields) of each public form; one field of each is always invalid."""
    product = st.one_of(st.just(str(laptop.pk)), any_text)
    return {
        "add to cart": ("/cart/add/", {"product": product, "quantity": no_digits}),
        "cart update": ("/cart/update/", {"product": product, "quantity": no_digits}),
        "cart remove": ("/cart/remove/", {"product": no_digits}),
        "sign-up": (
            "/accounts/signup/",
            {
                "username": any_text, "name": any_text, "email": any_text, "phone": any_text,
                "password1": st.just("cobol-compiler-1959"), "password2": any_text,
            },
        ),
        "log-in": ("/accounts/login/", {"username": any_text, "password": any_text}),
        "contact": (
            "/contact/",
            {
                "name": any_text, "email": no_digits.filter(lambda text: "@" not in text),
                "phone": any_text, "order_reference": any_text, "description": any_text,
            },
        ),
        "review": (f"/reviews/{laptop.pk}/", {"rating": no_digits, "content": any_text}),
    }


FORM_NAMES = ["add to cart", "cart update", "cart remove", "sign-up", "log-in", "contact", "review"]


@pytest.mark.usefixtures("fresh_cache")
@pytest.mark.parametrize("form", FORM_NAMES)
def test_no_public_form_answers_500_or_saves_anything_when_a_field_is_invalid(
    client, forms_shop, form
):
    customer, laptop = forms_shop
    address, fields = public_forms(laptop)[form]
    signed_in = form not in ("sign-up", "log-in")
    client.raise_request_exception = False

    @FUZZ
    @given(st.fixed_dictionaries({**fields, "next": any_text}))
    def post(data):
        # Each example starts as the same visitor: a log-in or sign-up must not carry over.
        client.logout()
        if signed_in:
            client.force_login(customer.user)
        before = saved_state()
        response = client.post(address, data)
        assert response.status_code < 500, data
        assert saved_state() == before, data
        if not signed_in:
            assert "_auth_user_id" not in client.session, data

    post()
