"""A fake Stripe (localstripe) on a free loopback port, and the shop pointed at it.

`localstripe` is a stateful fake of Stripe's API (PaymentIntents, test cards that are
declined or need 3-D Secure, refunds, events). The tests start it from the virtualenv, so
they need no internet, and stop it by its process id. The tests act as the shopper's browser
with the `stripe` library: they create the card's PaymentMethod on localstripe and confirm
the intent the shop created, as Stripe.js would.
"""

import contextlib
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import stripe

LOCALSTRIPE = Path(sys.executable).with_name("localstripe")
WEBHOOK_SECRET = "whsec_test_secret"
SECRET_KEY = "sk_test_storefront"
PUBLISHABLE_KEY = "pk_test_storefront"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FakeStripe:
    """The running localstripe: its address, and the browser's part of a payment."""

    def __init__(self, port):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.process = None
        self.client = stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": self.url}, max_network_retries=0
        )

    def start(self):
        self.process = subprocess.Popen(
            [str(LOCALSTRIPE), "--port", str(self.port), "--from-scratch"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        pytest.fail("localstripe did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, 15)
            self.process.wait(timeout=10)
        self.process = None

    def pay(self, intent_id, card_number):
        """Confirm the intent with a card, as Stripe.js does in the browser; the intent after."""
        payment_method = self.client.v1.payment_methods.create(params={
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        })
        self.client.v1.payment_intents.update(
            intent_id, params={"payment_method": payment_method.id}
        )
        with contextlib.suppress(stripe.CardError):  # declined: the intent says so
            self.client.v1.payment_intents.confirm(intent_id)
        return self.client.v1.payment_intents.retrieve(intent_id)

    def authenticate(self, intent_id, *, success):
        """The shopper passes or fails the bank's 3-D Secure step."""
        intent = self.client.v1.payment_intents.retrieve(intent_id)
        response = requests.post(
            f"{self.url}/v1/payment_intents/{intent_id}/_authenticate",
            params={"success": "true" if success else "false"},
            json={"key": PUBLISHABLE_KEY, "client_secret": intent.client_secret},
            timeout=5,
        )
        assert response.status_code == 200, response.text
        return self.client.v1.payment_intents.retrieve(intent_id)

    def events(self, event_type, object_id):
        """The events localstripe generated of `event_type` for the object `object_id`."""
        listed = self.client.v1.events.list(params={"type": event_type})
        events = [event.to_dict() for event in listed.data]
        return [event for event in events if event["data"]["object"]["id"] == object_id]


def signed_headers(payload, secret=WEBHOOK_SECRET, timestamp=None):
    """The Stripe-Signature header Stripe sends with `payload` (bytes)."""
    timestamp = int(timestamp or time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256
    ).hexdigest()
    return {"HTTP_STRIPE_SIGNATURE": f"t={timestamp},v1={signature}"}


@pytest.fixture
def deliver_webhook(client):
    """deliver_webhook(event, secret=...): POST `event` (a dict) to the shop's webhook,
    signed as Stripe signs it; returns the response."""

    def deliver(event, secret=WEBHOOK_SECRET, headers=None):
        payload = json.dumps(event).encode()
        return client.post(
            "/payments/stripe/webhook/", payload, content_type="application/json",
            **(signed_headers(payload, secret) if headers is None else headers),
        )

    return deliver


@pytest.fixture(scope="session")
def localstripe_server():
    if not LOCALSTRIPE.exists():
        pytest.skip(f"localstripe is not installed in this virtualenv ({LOCALSTRIPE}): "
                    "pip install -r requirements-dev.txt")
    server = FakeStripe(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(localstripe_server, settings):
    """The shop taking card payments through Stripe, Stripe being localstripe."""
    if localstripe_server.process is None:  # a test stopped it
        localstripe_server.start()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_server.url
    settings.STRIPE_JS_URL = f"{localstripe_server.url}/js.stripe.com/v3/"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    settings.SHOP_PAYMENT_GATEWAYS = {
        "card": "commerce.payments.stripe_gateway.StripeGateway",
        "cod": "commerce.payments.cash_on_delivery.CashOnDelivery",
    }
    return localstripe_server
