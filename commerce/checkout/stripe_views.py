"""The Stripe pay page, the shopper's return from paying, and Stripe's webhook. Thin: the
rules live in stripe_payment.py and stripe_webhooks.py."""

import logging
from urllib.parse import urlsplit

import stripe
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commerce.checkout.models import CheckoutDetail
from commerce.checkout.stripe_payment import (
    MISMATCH,
    RELEASED,
    UNCONFIRMED_MESSAGE,
    payment_page_gateway,
    settle_intent,
    start_payment,
)
from commerce.checkout.stripe_webhooks import handle_event
from commerce.payments.gateways import PaymentDeclined
from commerce.payments.stripe_gateway import PAID, PaymentProviderUnavailable
from config.content_security_policy import HEADER, REPORT_ONLY_HEADER, policy_header

logger = logging.getLogger(__name__)


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_content_security_policy():
    """The storefront's policy, with Stripe's origins (from STRIPE_JS_URL and STRIPE_API_BASE)
    allowed for the script, its frames and its requests: the pay page's policy only."""
    policy = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    js_origin, api_origin = _origin(settings.STRIPE_JS_URL), _origin(settings.STRIPE_API_BASE)
    frames = [js_origin]
    if js_origin == "https://js.stripe.com":
        frames.append("https://hooks.stripe.com")  # the bank's 3-D Secure page
    for directive, origins in [
        ("script-src", [js_origin]), ("frame-src", frames), ("connect-src", [api_origin]),
    ]:
        sources = policy.setdefault(directive, ["'self'"])
        sources.extend(origin for origin in origins if origin not in sources)
    return policy


def stripe_payment_page(request, order, items, gateway):
    """The pay page of `order` for Stripe: Stripe's card field (static/js/stripe-payment.js)
    confirms the order's PaymentIntent in the browser. The card never reaches the shop."""
    try:
        intent = start_payment(order, gateway)
    except PaymentDeclined as unavailable:
        intent = None
        messages.error(request, unavailable.message)
    if intent and intent["status"] in ("succeeded", "processing"):
        # Paid already (the page reloaded before the order was settled): settle it now.
        return redirect("commerce:order_payment_return", number=order.number)
    response = render(request, "commerce/checkout/stripe_payment.html", {
        "order": order,
        "items": items,
        "client_secret": intent["client_secret"] if intent else "",
        "publishable_key": gateway.publishable_key,
        "stripe_js_url": settings.STRIPE_JS_URL,
        "return_url": request.build_absolute_uri(
            reverse("commerce:order_payment_return", args=[order.number])
        ),
    })
    header = REPORT_ONLY_HEADER if settings.CONTENT_SECURITY_POLICY_REPORT_ONLY else HEADER
    response[header] = policy_header(stripe_content_security_policy())
    return response


def order_payment_return(request, order):
    """Where Stripe.js sends the shopper after confirming: read the intent back from Stripe
    and settle the order (the webhook may have done it already)."""
    gateway = payment_page_gateway(order)
    token = CheckoutDetail.objects.filter(order=order).values_list(
        "payment_token", flat=True).first()
    if gateway is None or not token:
        return redirect("commerce:order_payment", number=order.number)
    try:
        settlement = settle_intent(order, gateway.retrieve_intent(token), gateway)
    except PaymentProviderUnavailable:
        # Not the pay page: it would ask Stripe again, and offer to pay a second time.
        messages.error(request, UNCONFIRMED_MESSAGE)
        return redirect(order.get_absolute_url())
    if settlement.state == PAID:
        return redirect("commerce:order_confirmation", number=order.number)
    messages.error(request, settlement.message or "Your payment is not complete yet.")
    if settlement.state == RELEASED:
        return redirect("commerce:cart")
    if settlement.state == MISMATCH:
        return redirect(order.get_absolute_url())
    return redirect("commerce:order_payment", number=order.number)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Stripe's events, signed with STRIPE_WEBHOOK_SECRET; anything unsigned answers 400."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    signature = request.headers.get("Stripe-Signature")
    if not secret or not signature:
        return HttpResponseBadRequest("Missing Stripe signature.")
    try:
        event = stripe.Webhook.construct_event(request.body, signature, secret).to_dict()
    except (ValueError, stripe.SignatureVerificationError):
        logger.warning("Refused a Stripe webhook with a bad signature or payload")
        return HttpResponseBadRequest("Bad Stripe signature.")
    handle_event(event)
    return HttpResponse(status=200)
