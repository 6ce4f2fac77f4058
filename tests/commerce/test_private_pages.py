"""Account, cart, checkout, order and invoice responses are never kept by any cache.

Every URL pattern of those pages is found by walking the URL resolver, so a page added later
is checked without anyone remembering to add it here.
"""

import re

import pytest
from django.urls import URLResolver, get_resolver

from commerce.customers.addresses import add_address
from home.shared.page_cache import allow_caching, response_may_be_cached
from tests.factories import DELIVERY

pytestmark = pytest.mark.django_db

PRIVATE_NAMESPACES = {"commerce", "invoices", "invoices_admin"}
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def url_patterns(resolver=None, prefix="", namespace=None):
    """(route, namespace) of every URL pattern, included ones too."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route, pattern.namespace or namespace)
        else:
            yield route, namespace


def private_routes():
    return sorted(
        route for route, namespace in url_patterns()
        if namespace in PRIVATE_NAMESPACES or route.startswith("accounts/")
    )


@pytest.fixture
def private_responses(client, buyer):
    """(url, response) for a GET of every private URL pattern, by a signed-in customer who is
    also staff (for the staff invoice), with a placed order to show."""
    buyer.user.is_staff = buyer.user.is_superuser = True
    buyer.user.save()
    client.force_login(buyer.user)
    samples = {
        "number": buyer.orders.exclude(number=None).get().number,
        "token": "not-a-real-token",
        "uidb64": "MQ",
        "pk": add_address(buyer, recipient_name=buyer.name, **DELIVERY).pk,
    }
    responses = []
    for route in private_routes():
        # A new parameter fails here (KeyError) until it is given a sample value.
        url = "/" + CONVERTER.sub(lambda match: str(samples[match[1]]), route)
        responses.append((url, client.get(url)))
    return responses


def test_the_private_pages_are_found_by_walking_the_resolver():
    routes = private_routes()
    for expected in ["cart/", "checkout/", "accounts/login/", "accounts/orders/<str:number>/",
                     "accounts/orders/<str:number>/invoice.pdf",
                     "admin/invoices/<str:number>.pdf"]:
        assert expected in routes


def test_every_account_checkout_order_and_invoice_response_says_private_no_store(
    private_responses,
):
    not_private = [
        (url, response.status_code, response.get("Cache-Control"))
        for url, response in private_responses
        if not {"private", "no-store"} <= cache_directives(response)
    ]
    assert not_private == []


def test_the_page_cache_would_not_store_them_even_if_the_view_allowed_it(private_responses):
    shown = [(url, response) for url, response in private_responses if response.status_code == 200]
    assert len(shown) > 5
    for url, response in shown:
        request = response.wsgi_request
        allow_caching(request)
        response.cookies.clear()  # the CSRF cookie alone would also keep a form out
        assert not response_may_be_cached(request, response), url


def cache_directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}

