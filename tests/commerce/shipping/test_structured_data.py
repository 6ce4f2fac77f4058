"""The shipping and returns of a product's JSON-LD offer, checked against what Google's
merchant listings require (developers.google.com/search/docs/appearance/structured-data/
merchant-listing, "Shipping details" and "Merchant return policy" under Offer):

- OfferShippingDetails: shippingRate (a MonetaryAmount with value or maxValue, and the
  offer's currency), shippingDestination (a DefinedRegion with addressCountry; addressRegion
  as ISO 3166-2 codes without the country prefix), and at most one deliveryTime whose
  handlingTime and transitTime are QuantitativeValues in days (unitCode DAY).
- MerchantReturnPolicy: applicableCountry and returnPolicyCategory; merchantReturnDays with a
  finite window; returnMethod and returnFees recommended.
"""

import re
from decimal import Decimal

import pytest
from django.test import Client
from wagtail.models import Site

from commerce.checkout.models import CheckoutSettings
from commerce.shipping.models import ShippingSettings
from commerce.shipping.structured_data import delivery_days
from home.shared.roles import MARKETERS
from tests.factories import make_product, make_shipping_method, make_staff_in_role
from tests.products.test_product_page import structured_data

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
ISO_COUNTRY = re.compile(r"[A-Z]{2}")
ISO_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")


def assert_google_shipping_details(details, currency):
    assert details["@type"] == "OfferShippingDetails"
    rate = details["shippingRate"]
    assert rate["@type"] == "MonetaryAmount"
    assert "value" in rate or "maxValue" in rate
    assert Decimal(rate.get("value", rate.get("maxValue"))) >= 0
    assert rate["currency"] == currency
    destination = details["shippingDestination"]
    assert destination["@type"] == "DefinedRegion"
    assert ISO_COUNTRY.fullmatch(destination["addressCountry"])
    for region in destination.get("addressRegion", []):
        assert ISO_SUBDIVISION.fullmatch(region)
    if "deliveryTime" in details:
        time = details["deliveryTime"]
        assert isinstance(time, dict) and time["@type"] == "ShippingDeliveryTime"
        for part in ("handlingTime", "transitTime"):
            value = time[part]
            assert value["@type"] == "QuantitativeValue" and value["unitCode"] == "DAY"
            assert 0 <= value["minValue"] <= value["maxValue"]


def assert_google_return_policy(policy):
    assert policy["@type"] == "MerchantReturnPolicy"
    assert ISO_COUNTRY.fullmatch(policy["applicableCountry"])
    assert policy["returnPolicyCategory"] in {
        SCHEMA + "MerchantReturnFiniteReturnWindow",
        SCHEMA + "MerchantReturnNotPermitted",
        SCHEMA + "MerchantReturnUnlimitedWindow",
    }
    if policy["returnPolicyCategory"].endswith("FiniteReturnWindow"):
        assert isinstance(policy["merchantReturnDays"], int) and policy["merchantReturnDays"] > 0
        assert policy["returnMethod"].startswith(SCHEMA)
        assert policy["returnFees"].startswith(SCHEMA)


def offer_of(client, product):
    offer = structured_data(client.get(product.url).content.decode())["offers"]
    for details in offer["shippingDetails"]:
        assert_google_shipping_details(details, offer["priceCurrency"])
    assert_google_return_policy(offer["hasMerchantReturnPolicy"])
    return offer


@pytest.fixture
def laptop(product_index):
    # 1.40 kg (make_product's weight spec).
    return make_product(product_index, "Dell XPS 13", price="999.00")


def test_each_active_method_is_an_offer_shipping_detail_priced_for_one_unit(client, laptop):
    make_shipping_method("Standard", "4.99", price_per_kg="1.50", estimate="3–5 business days")
    make_shipping_method("Express", "19.99", free_above="900.00", estimate="1-2 days",
                         sort_order=1)
    make_shipping_method("Pickup in Portland", "0.00", states=["OR"],
                         estimate="Ready the next business day", sort_order=2)
    make_shipping_method("Retired", "1.00", active=False)

    details = offer_of(client, laptop)["shippingDetails"]

    assert [(d["shippingLabel"], d["shippingRate"]["value"]) for d in details] == [
        ("Standard", "7.09"),  # 4.99 + 1.40 kg × 1.50
        ("Express", "0.00"),  # the laptop alone reaches its free shipping amount
        ("Pickup in Portland", "0.00"),
    ]
    assert details[0]["shippingDestination"] == {"@type": "DefinedRegion", "addressCountry": "US"}
    assert details[2]["shippingDestination"]["addressRegion"] == ["OR"]
    standard, express, pickup = (d["deliveryTime"] for d in details)
    assert (standard["transitTime"]["minValue"], standard["transitTime"]["maxValue"]) == (3, 5)
    assert standard["businessDays"]["dayOfWeek"][-1] == SCHEMA + "Friday"
    assert (express["transitTime"]["minValue"], express["transitTime"]["maxValue"]) == (1, 2)
    assert "businessDays" not in express
    assert (pickup["transitTime"]["minValue"], pickup["transitTime"]["maxValue"]) == (1, 1)


def test_a_shop_without_shipping_methods_ships_free_and_says_no_delivery_time(client, laptop):
    (details,) = offer_of(client, laptop)["shippingDetails"]

    assert details["shippingRate"]["value"] == "0.00"
    assert "deliveryTime" not in details


def test_an_estimate_without_days_gives_no_delivery_time(client, laptop):
    make_shipping_method("Freight", "49.00", estimate="soon")

    (details,) = offer_of(client, laptop)["shippingDetails"]

    assert "deliveryTime" not in details


@pytest.mark.parametrize(("estimate", "days"), [
    ("3–5 business days", (3, 5)), ("5 to 7 working days", (5, 7)), ("2 business days", (2, 2)),
    ("Next day", (1, 1)), ("Same-day courier", (0, 0)), ("7-5 days", (5, 7)), ("soon", None),
])
def test_delivery_estimates_are_read_as_days(estimate, days):
    assert delivery_days(estimate) == days


def test_by_default_returns_are_free_for_30_days_on_the_page_and_in_the_json_ld(client, laptop):
    html = client.get(laptop.url).content.decode()

    assert '<p class="return-policy">Free returns within 30 days of delivery.</p>' in html
    assert structured_data(html)["offers"]["hasMerchantReturnPolicy"] == {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": "US",
        "returnPolicyCategory": SCHEMA + "MerchantReturnFiniteReturnWindow",
        "merchantReturnDays": 30,
        "returnMethod": SCHEMA + "ReturnByMail",
        "returnFees": SCHEMA + "FreeReturn",
    }


def test_a_marketer_shortens_the_return_window_and_charges_for_returns(client, laptop):
    marketer = Client()
    marketer.force_login(make_staff_in_role(MARKETERS))
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/commerce/checkoutsettings/{site.pk}/"
    assert "Return window (days)" in marketer.get(url).content.decode()

    response = marketer.post(url, {"guest_checkout": "on", "return_window_days": "14"})

    assert response.status_code == 302
    html = client.get(laptop.url).content.decode()
    assert "Returns accepted within 14 days of delivery; you pay the return shipping." in html
    policy = offer_of(client, laptop)["hasMerchantReturnPolicy"]
    assert policy["merchantReturnDays"] == 14
    assert policy["returnFees"] == SCHEMA + "ReturnFeesCustomerResponsibility"


def test_a_return_window_of_a_typo_is_refused(laptop):
    marketer = Client()
    marketer.force_login(make_staff_in_role(MARKETERS))
    site = Site.objects.get(is_default_site=True)
    url = f"/admin/settings/commerce/checkoutsettings/{site.pk}/"

    response = marketer.post(url, {"return_window_days": "3650"})

    assert response.status_code == 200
    assert "less than or equal to 365" in response.content.decode()
    assert not CheckoutSettings.objects.filter(site=site, return_window_days=3650).exists()


def test_a_shop_without_returns_says_final_sale(client, laptop):
    CheckoutSettings.objects.create(
        site=Site.objects.get(is_default_site=True), return_window_days=0
    )

    html = client.get(laptop.url).content.decode()

    assert "Final sale: products cannot be returned." in html
    assert structured_data(html)["offers"]["hasMerchantReturnPolicy"] == {
        "@type": "MerchantReturnPolicy",
        "applicableCountry": "US",
        "returnPolicyCategory": SCHEMA + "MerchantReturnNotPermitted",
    }


def test_a_shipping_method_added_changed_or_retired_shows_on_the_next_product_page(
    client, laptop
):
    assert len(offer_of(client, laptop)["shippingDetails"]) == 1  # free, held from now
    method = make_shipping_method("Standard", "4.99")
    assert [d["shippingLabel"] for d in offer_of(client, laptop)["shippingDetails"]] == [
        "Standard"
    ]

    method.flat_price = Decimal("6.50")
    method.save()
    (details,) = offer_of(client, laptop)["shippingDetails"]
    assert details["shippingRate"]["value"] == "6.50"

    method.active = False
    method.save()
    assert "shippingLabel" not in offer_of(client, laptop)["shippingDetails"][0]

    method.delete()
    assert len(offer_of(client, laptop)["shippingDetails"]) == 1


def test_a_new_return_window_shows_on_the_next_product_page(client, laptop):
    assert offer_of(client, laptop)["hasMerchantReturnPolicy"]["merchantReturnDays"] == 30

    CheckoutSettings.objects.create(
        site=Site.objects.get(is_default_site=True), return_window_days=21
    )

    assert offer_of(client, laptop)["hasMerchantReturnPolicy"]["merchantReturnDays"] == 21


def test_a_new_default_weight_prices_shipping_on_the_next_product_page(client, product_index):
    weightless = make_product(product_index, "No Weight Laptop", price="999.00",
                              features=[("brand", "Acme")])
    make_shipping_method("By weight", "0.00", price_per_kg="2.00")
    (details,) = offer_of(client, weightless)["shippingDetails"]
    assert details["shippingRate"]["value"] == "2.00"  # the default 1 kg

    ShippingSettings.objects.create(
        site=Site.objects.get(is_default_site=True), default_weight_kg=Decimal("3.00")
    )

    (details,) = offer_of(client, weightless)["shippingDetails"]
    assert details["shippingRate"]["value"] == "6.00"
