"""The shipping and returns part of a product's JSON-LD offers (schema.org OfferShippingDetails
and MerchantReturnPolicy), in the shape Google's merchant listings read:
https://developers.google.com/search/docs/appearance/structured-data/merchant-listing

Every figure comes from what the shop tells shoppers: the active shipping methods, priced by
commerce.pricing for one unit, with their delivery estimate, and the return policy marketers
set under Settings › Checkout.
"""

import re
from decimal import Decimal

from commerce import pricing
from commerce.shipping.rates import active_methods, parcel_weight_kg
from home.shared.postal import DEFAULT_COUNTRY

SCHEMA = "https://schema.org/"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

# "3–5 business days", "1-2 days", "5 to 7 business days", "2 business days", "next day".
DAY_RANGE = re.compile(r"(\d+)\s*(?:[–—-]|to)\s*(\d+)\s*(?:business\s+|working\s+)?days?", re.I)
DAYS = re.compile(r"(\d+)\s*(?:business\s+|working\s+)?days?", re.I)
NEXT_DAY = re.compile(r"\b(?:next|1)\s*(?:business\s+|working\s+)?day\b", re.I)
SAME_DAY = re.compile(r"\bsame[\s-]day\b", re.I)


def delivery_days(estimate):
    """(fewest, most) days of a delivery estimate as shoppers read it, or None when it names
    no number of days ("soon")."""
    if match := DAY_RANGE.search(estimate):
        low, high = sorted((int(match[1]), int(match[2])))
        return low, high
    if SAME_DAY.search(estimate):
        return 0, 0
    if NEXT_DAY.search(estimate):
        return 1, 1
    if match := DAYS.search(estimate):
        return int(match[1]), int(match[1])
    return None


def days_value(low, high):
    return {"@type": "QuantitativeValue", "minValue": low, "maxValue": high, "unitCode": "DAY"}


def delivery_time(estimate):
    """The ShippingDeliveryTime of an estimate, or None when it names no days. The estimate is
    the whole wait from order to door, so handling counts as none and transit as all of it."""
    days = delivery_days(estimate)
    if days is None:
        return None
    data = {
        "@type": "ShippingDeliveryTime",
        "handlingTime": days_value(0, 0),
        "transitTime": days_value(*days),
    }
    if re.search(r"business|working", estimate, re.I):
        data["businessDays"] = {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [SCHEMA + day for day in WEEKDAYS],
        }
    return data


def shipping_details(method, rate, currency):
    """One OfferShippingDetails: `method` (None: the shop ships free, having no method)
    charging `rate` for the offer's one unit."""
    destination = {"@type": "DefinedRegion", "addressCountry": DEFAULT_COUNTRY}
    if method is not None and method.states:
        destination["addressRegion"] = list(method.states)
    data = {
        "@type": "OfferShippingDetails",
        "shippingRate": {"@type": "MonetaryAmount", "value": str(rate), "currency": currency},
        "shippingDestination": destination,
    }
    if method is not None:
        data["shippingLabel"] = method.name
        if time := delivery_time(method.delivery_estimate):
            data["deliveryTime"] = time
    return data


def return_policy_structured_data(policy):
    """The MerchantReturnPolicy of a checkout.models.ReturnPolicy."""
    data = {"@type": "MerchantReturnPolicy", "applicableCountry": DEFAULT_COUNTRY}
    if not policy.accepted:
        data["returnPolicyCategory"] = SCHEMA + "MerchantReturnNotPermitted"
        return data
    data.update(
        returnPolicyCategory=SCHEMA + "MerchantReturnFiniteReturnWindow",
        merchantReturnDays=policy.days,
        returnMethod=SCHEMA + "ReturnByMail",
        returnFees=SCHEMA + ("FreeReturn" if policy.free else "ReturnFeesCustomerResponsibility"),
    )
    return data


def offer_price(offer):
    """An Offer's price, or an AggregateOffer's lowest one."""
    return Decimal(offer.get("price", offer.get("lowPrice")))


def add_shipping_and_returns(offers, product, policy):
    """Add shippingDetails and hasMerchantReturnPolicy to `offers`, a product's JSON-LD offer
    dict (an Offer or AggregateOffer) or a list of them, in place.

    Each offer ships one unit of `product` at its own price (free shipping thresholds depend
    on it) by every active method; the methods are read once for all offers.
    """
    offers = offers if isinstance(offers, list) else [offers]
    methods = active_methods()
    weight = parcel_weight_kg([(product, 1)]) if methods else Decimal("0")
    returns = return_policy_structured_data(policy)
    for offer in offers:
        price = offer_price(offer)
        currency = offer["priceCurrency"]
        if methods:
            offer["shippingDetails"] = [
                shipping_details(method, pricing.shipping_price(method, weight, price), currency)
                for method in methods
            ]
        else:
            offer["shippingDetails"] = [shipping_details(None, pricing.ZERO, currency)]
        offer["hasMerchantReturnPolicy"] = returns
