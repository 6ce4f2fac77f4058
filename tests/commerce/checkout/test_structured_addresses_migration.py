"""The migration to structured addresses turns typed states into USPS codes and keeps what
names no state on the second address line."""

import pytest

from tests.migrating import migrate, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("commerce", "0018_shipping_and_tax")]
AFTER = [("commerce", "0019_structured_addresses")]

TYPED = {
    "IL": ("IL", ""), "california": ("CA", ""), "Calif.": ("CA", ""), "or": ("OR", ""),
    " New York ": ("NY", ""), "DISTRICT OF COLUMBIA": ("DC", ""),
    "Bavaria": ("", "Bavaria"), "Île-de-France": ("", "Île-de-France"),
}


def test_states_become_codes_and_unknown_text_moves_to_the_second_line_and_back():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    Customer = apps.get_model("commerce", "Customer")
    Order = apps.get_model("commerce", "Order")
    CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
    customer = Customer.objects.create(user=User.objects.create(username="ada"), name="Ada",
                                       email="ada@example.com")
    details = {}
    for typed in TYPED:
        order = Order.objects.create(customer=customer, status="placed")
        details[typed] = CheckoutDetail.objects.create(
            order=order, customer=customer, address="1 Market Street", city="Springfield",
            state=typed, zip_code="62701", phone="5551234567", payment_method="cod",
            amount_authorised=0, amount_captured=0, amount_refunded=0,
        ).pk
    try:
        apps = migrate(AFTER)
        CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
        migrated = {
            typed: CheckoutDetail.objects.values_list("state", "address_line2", "country").get(
                pk=pk
            )
            for typed, pk in details.items()
        }
        assert migrated == {typed: (*after, "US") for typed, after in TYPED.items()}

        apps = migrate(BEFORE)
        CheckoutDetail = apps.get_model("commerce", "CheckoutDetail")
        assert CheckoutDetail.objects.get(pk=details["Bavaria"]).state == "Bavaria"
        assert CheckoutDetail.objects.get(pk=details["california"]).state == "CA"
    finally:
        migrate_to_latest()
