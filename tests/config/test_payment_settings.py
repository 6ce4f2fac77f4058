"""Which card gateway the settings offer, from the Stripe keys in the environment."""

import json

CARD_AND_WARNINGS = """
import json
from django.conf import settings
from django.core import checks
messages = checks.run_checks(include_deployment_checks=True, tags=["security"])
print(json.dumps({
    "gateways": settings.SHOP_PAYMENT_GATEWAYS,
    "warnings": [m.id for m in messages if m.id.startswith("commerce.")],
}))
"""

STRIPE_KEYS = {"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_PUBLISHABLE_KEY": "pk_test_123"}


def settings_of(run_python, **env):
    result = run_python("import django; django.setup()\n" + CARD_AND_WARNINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_demo_shop_without_keys_offers_the_test_card_and_cash(run_python):
    found = settings_of(run_python, DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert found["gateways"] == {
        "card": "commerce.payments.testcard.TestCardGateway",
        "cod": "commerce.payments.cash_on_delivery.CashOnDelivery",
    }


def test_with_stripe_keys_cards_are_paid_through_stripe(run_python):
    found = settings_of(run_python, DJANGO_SETTINGS_MODULE="config.settings.dev", **STRIPE_KEYS)
    assert found["gateways"]["card"] == "commerce.payments.stripe_gateway.StripeGateway"


def test_production_without_keys_offers_no_card_and_passes_the_deploy_check(
    run_python, production_env
):
    found = settings_of(run_python, **production_env)
    assert found["gateways"] == {"cod": "commerce.payments.cash_on_delivery.CashOnDelivery"}
    assert found["warnings"] == []


def test_production_offers_the_test_card_only_when_told_and_then_warns(run_python, production_env):
    found = settings_of(run_python, **production_env, SHOP_ALLOW_TEST_CARD="true")
    assert found["gateways"]["card"] == "commerce.payments.testcard.TestCardGateway"
    assert found["warnings"] == ["commerce.W001"]


def test_production_with_stripe_but_no_webhook_secret_warns(run_python, production_env):
    found = settings_of(run_python, **production_env, **STRIPE_KEYS)
    assert found["gateways"]["card"] == "commerce.payments.stripe_gateway.StripeGateway"
    assert found["warnings"] == ["commerce.W002"]
    found = settings_of(
        run_python, **production_env, **STRIPE_KEYS, STRIPE_WEBHOOK_SECRET="whsec_1"
    )
    assert found["warnings"] == []
