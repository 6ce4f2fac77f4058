"""localstripe's mock of Stripe.js, completed where it falls short of the real one.

The pay page (static/js/stripe-payment.js) calls `confirmCardPayment(clientSecret,
{payment_method: {card: cardElement}})`, as Stripe documents it. Real Stripe.js then sends the
card from the browser to Stripe, which attaches it to the PaymentIntent and confirms it; if
the bank asks for 3-D Secure, Stripe.js shows the bank's step. The mock (localstripe-v3.js)
only does that last part: its confirmCardPayment ignores the card and goes straight to its
3-D Secure box. So the journeys serve the mock with a wrapper appended:

1. the card element goes to localstripe through the mock's own `createToken` (browser to
   localstripe: the card never passes the shop, nor this test process);
2. Stripe's server side, which localstripe only offers with the secret key, is played by the
   test (`confirm_on_stripe`, exposed to the page): the token's card becomes the intent's
   payment method and the intent is confirmed;
3. an intent that then needs authentication goes through the mock's own confirmCardPayment:
   its "Complete authentication" / "Fail authentication" box and localstripe's outcome.

The shop's page code is the production code, unchanged.
"""

import contextlib
import re

import stripe
from playwright.sync_api import expect

from .steps import add_to_cart, fill_delivery

COMPLETE_CONFIRM_CARD_PAYMENT = """
;(() => {
  const mockStripe = Stripe;
  Stripe = (key) => {
    const stripe = mockStripe(key);
    const authenticate = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async (clientSecret, data) => {
      const card = data && data.payment_method && data.payment_method.card;
      if (!(card instanceof Element)) {
        return authenticate(clientSecret, data);
      }
      const tokenised = await stripe.createToken(card);
      if (tokenised.error) {
        // Real Stripe.js refuses an incomplete card before sending anything, likewise.
        return {error: {type: 'validation_error', message: tokenised.error.message}};
      }
      const intent = await window.confirmOnStripe(clientSecret, tokenised.token.card.id);
      if (intent.status === 'requires_action') {
        return authenticate(clientSecret, data);
      }
      if (intent.error) {
        return {error: {type: 'card_error', message: intent.error}};
      }
      return {paymentIntent: intent};
    };
    return stripe;
  };
})();
"""


def complete_the_stripe_js_mock(page, fake_stripe, stripe_js_url):
    """Serve `page` localstripe's Stripe.js mock with confirmCardPayment completed (above)."""

    def serve(route):
        mock = route.fetch()
        route.fulfill(response=mock, body=mock.text() + COMPLETE_CONFIRM_CARD_PAYMENT)

    def confirm_on_stripe(client_secret, card_id):
        intent_id = re.match(r"^(pi_\w+)_secret_", client_secret)[1]
        intents = fake_stripe.client.v1.payment_intents
        intents.update(intent_id, params={"payment_method": card_id})
        with contextlib.suppress(stripe.CardError):  # declined: the intent says so
            intents.confirm(intent_id)
        intent = intents.retrieve(intent_id).to_dict()
        error = intent["last_payment_error"] or {}
        return {"id": intent["id"], "status": intent["status"], "error": error.get("message", "")}

    page.route(stripe_js_url, serve)
    page.expose_function("confirmOnStripe", confirm_on_stripe)


def type_card(page, number, security_code="737"):
    """Type a card into the mock's card field on the pay page (expiring 12/34)."""
    field = page.locator("#card-element")
    field.locator("input[placeholder=number]").fill(number)
    field.locator("input[placeholder=exp_month]").fill("12")
    field.locator("input[placeholder=exp_year]").fill("34")
    field.locator("input[placeholder=cvc]").fill(security_code)


def place_card_order(journey, product):
    """From `product`'s page: one unit, checkout by card; leaves the browser on the pay page."""
    page = journey.page
    journey.goto(product.url)
    add_to_cart(journey, 1)
    page.get_by_role("link", name="Check out").click()
    journey.wait_for_path("/checkout/")
    fill_delivery(page)
    page.get_by_label("Card", exact=True).check()
    page.get_by_role("button", name="Place order").click()
    journey.wait_for_path(r"/checkout/pay/[\w-]+/")


def pay_page_loaded(journey, label):
    """The pay page drew Stripe's card field with nothing refused or broken; a screenshot.
    (Not a full checkpoint: the mock's fields are plain inputs without labels, where real
    Stripe.js draws labelled fields in its own frame.)"""
    expect(journey.page.locator("#card-element input[placeholder=number]")).to_be_visible()
    assert journey.broken_responses == [], journey.broken_responses
    assert journey.policy_violations == [], journey.policy_violations
    journey.screenshot(label)
