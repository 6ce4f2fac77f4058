"""Where a customer follows a parcel: the tracking page of each carrier the shop knows.

A carrier is named freely when an order is marked shipped; the ones below (matched without
regard to case or spaces) get a link, any other shows its tracking number only.
"""

from urllib.parse import quote

from django.core.validators import RegexValidator

TRACKING_NUMBER_MAX_LENGTH = 40
CARRIER_MAX_LENGTH = 50

# Carrier name (lower case) → its tracking page, {number} replaced by the tracking number.
TRACKING_URLS = {
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
    "ups": "https://www.ups.com/track?tracknum={number}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={number}",
    "dhl": "https://www.dhl.com/us-en/home/tracking/tracking-express.html?tracking-id={number}",
}
KNOWN_CARRIERS = ("USPS", "UPS", "FedEx", "DHL")

validate_tracking_number = RegexValidator(
    r"^[A-Za-z0-9-]+$",
    message="A tracking number has only letters, digits and hyphens.",
    code="invalid_tracking_number",
)


def tracking_url(carrier, tracking_number):
    """The carrier's tracking page for `tracking_number`, or "" for an unknown carrier or no
    number."""
    template = TRACKING_URLS.get("".join(carrier.split()).lower())
    if not template or not tracking_number:
        return ""
    return template.format(number=quote(tracking_number, safe=""))
