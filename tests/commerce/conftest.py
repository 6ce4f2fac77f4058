from decimal import Decimal

import pytest
from wagtail.models import Site

from commerce.checkout.models import CheckoutSettings
from commerce.payments.testcard import TestCardGateway
from tests.factories import make_customer, make_order, make_product


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Aero 14")


@pytest.fixture
def work_laptop(product_index):
    """A live product at 100.00 whose stock is not tracked."""
    return make_product(product_index, "Work Laptop", price="100.00")


@pytest.fixture
def buyer(customer, laptop):
    """A customer with a placed order for the laptop."""
    make_order(customer, [laptop])
    return customer


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer.user)
    return client


@pytest.fixture
def ada(db):
    return make_customer("ada", "Ada Lovelace")


@pytest.fixture
def grace(db):
    return make_customer("grace", "Grace Hopper")


class ProviderLedger:
    """What a real card provider would do with the refunds it is asked for: one refund per
    idempotency key, however often it is asked (a request without a key always pays)."""

    def __init__(self):
        self.requests = []
        self.paid = {}

    def refund(self, token, amount, idempotency_key=None):
        self.requests.append((token, amount, idempotency_key))
        key = idempotency_key or f"no key {len(self.requests)}"
        self.paid.setdefault(key, amount)
        return f"re_{key}"

    @property
    def total_paid(self):
        return sum(self.paid.values(), Decimal("0.00"))


@pytest.fixture
def provider(monkeypatch):
    """The test card gateway's refunds, recorded by a ProviderLedger."""
    ledger = ProviderLedger()
    monkeypatch.setattr(TestCardGateway, "refund", ledger.refund)
    return ledger


@pytest.fixture
def guest_checkout_off(home_page):
    """The checkout setting with guest checkout switched off: visitors must log in."""
    return CheckoutSettings.objects.create(
        site=Site.objects.get(is_default_site=True), guest_checkout=False
    )
