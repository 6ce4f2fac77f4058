"""System checks on how the shop takes payments (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

from config.env import STRIPE_GATEWAY, TEST_CARD_GATEWAY


@register(Tags.security, deploy=True)
def check_payment_gateways(app_configs, **kwargs):
    gateways = getattr(settings, "SHOP_PAYMENT_GATEWAYS", {}).values()
    warnings = []
    if TEST_CARD_GATEWAY in gateways:
        warnings.append(Warning(
            "The test card gateway is offered: it accepts any well-formed card number and "
            "charges nothing, so orders are marked paid without any money taken.",
            hint="Set STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY, and unset "
                 "SHOP_ALLOW_TEST_CARD.",
            id="commerce.W001",
        ))
    if STRIPE_GATEWAY in gateways and not settings.STRIPE_WEBHOOK_SECRET:
        warnings.append(Warning(
            "Stripe takes payments but STRIPE_WEBHOOK_SECRET is not set: Stripe's events are "
            "refused, so a shopper who closes the page after paying leaves the order unpaid.",
            hint="Add the endpoint /payments/stripe/webhook/ in Stripe's dashboard and set "
                 "STRIPE_WEBHOOK_SECRET to its signing secret.",
            id="commerce.W002",
        ))
    return warnings
