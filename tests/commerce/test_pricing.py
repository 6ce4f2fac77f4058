from decimal import Decimal

import pytest
from wagtail.models import Site

from commerce import pricing
from commerce.cart.carts import CustomerCart, add_to_cart, change_quantity, remove_from_cart
from commerce.orders.models import OrderItem
from commerce.promotions.models import BulkDiscountSettings
from tests.factories import make_customer, make_placed_order, make_product

pytestmark = pytest.mark.django_db

DEFAULT_RULE = pricing.DiscountRule(threshold=3, percentage=Decimal("20"))


def stored(customer):
    order = customer.orders.get(status="cart")
    return order.subtotal, order.discount, order.total


@pytest.fixture
def cart(customer):
    return CustomerCart(customer)


def discount_settings(**values):
    site = Site.objects.get(is_default_site=True)
    settings, _created = BulkDiscountSettings.objects.update_or_create(site=site, defaults=values)
    return settings


def test_money_rounds_half_up_to_cents():
    assert pricing.to_money(Decimal("0.125")) == Decimal("0.13")
    assert pricing.to_money(Decimal("0.135")) == Decimal("0.14")
    assert pricing.to_money(Decimal("2.5")) == Decimal("2.50")


def test_line_total_is_unit_price_times_quantity():
    assert pricing.line_total(Decimal("19.99"), 3) == Decimal("59.97")


def test_discount_is_a_percentage_of_the_subtotal_rounded_to_cents():
    # 20% of 40.12 is 8.024
    totals = pricing.price_lines([(Decimal("10.03"), 4)], DEFAULT_RULE)
    assert totals == pricing.Totals(
        Decimal("40.12"), Decimal("8.02"), Decimal("32.10"), discount_name="Bulk discount (20% off)"
    )


def test_a_discount_of_exactly_half_a_cent_rounds_up():
    # 10% of 0.25 is 0.025: half up gives 0.03 where banker's rounding would give 0.02.
    rule = pricing.DiscountRule(threshold=3, percentage=Decimal("10"))
    totals = pricing.price_lines([(Decimal("0.05"), 5)], rule)
    assert (totals.discount, totals.total) == (Decimal("0.03"), Decimal("0.22"))


def test_three_units_get_no_discount(cart, work_laptop, customer):
    add_to_cart(cart, work_laptop.pk, 3)
    assert stored(customer) == (Decimal("300.00"), Decimal("0.00"), Decimal("300.00"))


def test_fourth_unit_triggers_bulk_discount(cart, work_laptop, customer):
    add_to_cart(cart, work_laptop.pk, 3)
    add_to_cart(cart, work_laptop.pk, 1)
    assert stored(customer) == (Decimal("400.00"), Decimal("80.00"), Decimal("320.00"))


def test_one_line_above_three_discounts_the_whole_order(cart, work_laptop, customer, product_index):
    mouse = make_product(product_index, "Mouse", price="25.50")
    add_to_cart(cart, work_laptop.pk, 4)
    add_to_cart(cart, mouse.pk, 1)
    # 20% off 425.50, not only off the laptops.
    assert stored(customer) == (Decimal("425.50"), Decimal("85.10"), Decimal("340.40"))


def test_two_lines_of_three_each_get_no_discount(cart, work_laptop, customer, product_index):
    mouse = make_product(product_index, "Mouse", price="25.50")
    add_to_cart(cart, work_laptop.pk, 3)
    add_to_cart(cart, mouse.pk, 3)
    assert stored(customer)[1] == Decimal("0.00")


def test_lowering_four_to_three_removes_the_discount(cart, work_laptop, customer):
    add_to_cart(cart, work_laptop.pk, 4)
    change_quantity(cart, work_laptop.pk, 3)
    assert stored(customer) == (Decimal("300.00"), Decimal("0.00"), Decimal("300.00"))


def test_deleting_the_discounted_line_removes_the_discount(cart, work_laptop, customer,
                                                           product_index):
    mouse = make_product(product_index, "Mouse", price="25.00")
    add_to_cart(cart, work_laptop.pk, 5)
    add_to_cart(cart, mouse.pk, 2)
    remove_from_cart(cart, work_laptop.pk)
    assert stored(customer) == (Decimal("50.00"), Decimal("0.00"), Decimal("50.00"))


def test_saving_an_item_twice_never_stacks_the_discount(cart, work_laptop, customer):
    add_to_cart(cart, work_laptop.pk, 4)
    item = OrderItem.objects.get(order__customer=customer)
    item.save()
    item.save()
    assert stored(customer) == (Decimal("400.00"), Decimal("80.00"), Decimal("320.00"))


def test_marketers_can_change_threshold_and_percentage(cart, work_laptop, customer):
    discount_settings(threshold=5, percentage=Decimal("10"))
    add_to_cart(cart, work_laptop.pk, 5)
    assert stored(customer)[1] == Decimal("0.00")
    add_to_cart(cart, work_laptop.pk, 1)
    assert stored(customer) == (Decimal("600.00"), Decimal("60.00"), Decimal("540.00"))


def test_switching_the_discount_off_stops_it(cart, work_laptop, customer):
    discount_settings(enabled=False)
    add_to_cart(cart, work_laptop.pk, 10)
    assert stored(customer) == (Decimal("1000.00"), Decimal("0.00"), Decimal("1000.00"))


def test_switching_the_discount_off_shows_in_a_cart_at_once_and_is_stored_at_its_next_change(
    cart, work_laptop, customer
):
    add_to_cart(cart, work_laptop.pk, 4)
    discount_settings(enabled=False)
    contents = CustomerCart(customer).contents()
    assert contents.totals.discount == Decimal("0.00")
    assert stored(customer)[1] == Decimal("80.00")  # showing the cart writes nothing
    change_quantity(cart, work_laptop.pk, 5)
    assert stored(customer)[1] == Decimal("0.00")


def test_a_cart_follows_the_live_price(cart, work_laptop, customer):
    add_to_cart(cart, work_laptop.pk, 2)
    work_laptop.price = Decimal("150.00")
    work_laptop.save_revision().publish()
    contents = CustomerCart(customer).contents()
    assert contents.totals.total == Decimal("300.00")
    assert stored(customer)[2] == Decimal("200.00")  # showing the cart writes nothing
    change_quantity(cart, work_laptop.pk, 3)
    assert stored(customer)[2] == Decimal("450.00")


def test_a_placed_order_keeps_the_price_it_was_sold_at(work_laptop, customer):
    order = make_placed_order(customer, (work_laptop, 4))
    work_laptop.price = Decimal("999.00")
    work_laptop.save_revision().publish()
    item = order.items.get()
    item.save()  # any later change recomputes from the snapshot, not today's price
    order.refresh_from_db()
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("400.00"), Decimal("80.00"), Decimal("320.00")
    )
    assert order.total_cart_value == Decimal("400.00")
    assert order.total_cart_items == 4


def test_a_placed_order_keeps_its_discount_when_marketers_switch_it_off(work_laptop, customer):
    order = make_placed_order(customer, (work_laptop, 4))
    discount_settings(enabled=False)
    order.items.get().save()  # a later save of its line does not reprice it with today's rule
    order.refresh_from_db()
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("400.00"), Decimal("80.00"), Decimal("320.00")
    )


def test_without_saved_settings_the_defaults_apply(home_page):
    assert pricing.current_discount_rule() == pricing.DiscountRule(3, Decimal("20.00"), True)
    assert not BulkDiscountSettings.objects.exists()


def test_other_customers_carts_are_priced_separately(work_laptop, customer):
    other = make_customer("other")
    add_to_cart(CustomerCart(customer), work_laptop.pk, 4)
    add_to_cart(CustomerCart(other), work_laptop.pk, 1)
    assert stored(customer)[1] == Decimal("80.00")
    assert stored(other) == (Decimal("100.00"), Decimal("0.00"), Decimal("100.00"))


def test_what_remains_refundable_is_the_captured_amount_less_what_was_given_back():
    assert pricing.refundable(Decimal("100.00"), Decimal("30.00")) == Decimal("70.00")
    assert pricing.refundable(Decimal("100.00"), Decimal("120.00")) == Decimal("0.00")


def test_a_partial_refund_then_the_rest_leaves_nothing_to_refund():
    first = pricing.apply_refund(Decimal("100.00"), Decimal("0.00"), Decimal("40.00"))
    assert (first.added, first.refunded, first.remaining) == (
        Decimal("40.00"), Decimal("40.00"), Decimal("60.00")
    )
    rest = pricing.apply_refund(Decimal("100.00"), first.refunded, Decimal("60.00"))
    assert (rest.added, rest.refunded, rest.remaining) == (
        Decimal("60.00"), Decimal("100.00"), Decimal("0.00")
    )


def test_a_refund_never_takes_the_refunded_total_beyond_what_was_captured():
    totals = pricing.apply_refund(Decimal("100.00"), Decimal("90.00"), Decimal("25.00"))
    assert (totals.added, totals.refunded, totals.remaining) == (
        Decimal("10.00"), Decimal("100.00"), Decimal("0.00")
    )


def test_a_negative_refund_counts_for_nothing():
    totals = pricing.apply_refund(Decimal("100.00"), Decimal("50.00"), Decimal("-5.00"))
    assert (totals.added, totals.refunded) == (Decimal("0.00"), Decimal("50.00"))
STANDARD = pricing.ShippingRate(flat_price=Decimal("5.00"), price_per_kg=Decimal("1.50"))
CALIFORNIA = pricing.TaxRule(percentage=Decimal("7.250"), taxes_shipping=False)
TEXAS = pricing.TaxRule(percentage=Decimal("6.250"), taxes_shipping=True)


def test_a_flat_rate_charges_its_price_whatever_the_weight():
    flat = pricing.ShippingRate(flat_price=Decimal("9.99"))
    assert pricing.shipping_price(flat, Decimal("25"), Decimal("100")) == Decimal("9.99")


def test_a_price_per_kg_is_added_to_the_flat_price():
    assert pricing.shipping_price(STANDARD, Decimal("2.8"), Decimal("100")) == Decimal("9.20")


def test_shipping_is_free_from_its_threshold_of_discounted_merchandise():
    rate = pricing.ShippingRate(flat_price=Decimal("5.00"), free_above=Decimal("500.00"))
    assert pricing.shipping_price(rate, 1, Decimal("499.99")) == Decimal("5.00")
    assert pricing.shipping_price(rate, 1, Decimal("500.00")) == Decimal("0.00")


def test_a_state_that_does_not_tax_shipping_taxes_the_merchandise_only():
    assert pricing.sales_tax(CALIFORNIA, Decimal("100.00"), Decimal("10.00")) == Decimal("7.25")


def test_a_state_that_taxes_shipping_taxes_merchandise_and_shipping():
    assert pricing.sales_tax(TEXAS, Decimal("100.00"), Decimal("10.00")) == Decimal("6.88")


def test_a_state_without_a_rate_pays_no_tax():
    assert pricing.sales_tax(None, Decimal("100.00"), Decimal("10.00")) == Decimal("0.00")


@pytest.mark.parametrize(
    ("units", "discount", "tax", "total"),
    [
        # 3 units: no discount; shipping 5 + 1.5 × 3 kg; tax 6.25% of 300 + 9.50.
        (3, "0.00", "19.34", "328.84"),
        # 4 units: 20% off 400; shipping 5 + 1.5 × 4 kg; tax 6.25% of 320 + 11.
        (4, "80.00", "20.69", "351.69"),
    ],
)
def test_order_of_operations_discount_then_shipping_then_tax(units, discount, tax, total):
    delivery = pricing.Delivery(method=STANDARD, weight_kg=Decimal(units), tax_rule=TEXAS)

    totals = pricing.price_lines([(Decimal("100.00"), units)], DEFAULT_RULE, delivery)

    assert totals.subtotal == Decimal(100 * units)
    assert totals.discount == Decimal(discount)
    assert totals.shipping == Decimal("5.00") + Decimal("1.50") * units
    assert totals.tax == Decimal(tax)
    assert totals.total == Decimal(total)


def test_free_shipping_is_judged_on_the_merchandise_after_the_bulk_discount():
    rate = pricing.ShippingRate(flat_price=Decimal("5.00"), free_above=Decimal("400.00"))
    delivery = pricing.Delivery(method=rate)

    # 4 × 100 = 400, but after 20% off it is 320: below the threshold.
    totals = pricing.price_lines([(Decimal("100.00"), 4)], DEFAULT_RULE, delivery)

    assert totals.shipping == Decimal("5.00")


def test_totals_without_delivery_have_no_shipping_or_tax():
    totals = pricing.price_lines([(Decimal("100.00"), 1)], DEFAULT_RULE)
    assert (totals.shipping, totals.tax, totals.total) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("100.00")
    )


def test_recalculating_a_placed_order_keeps_the_shipping_and_tax_it_was_charged(
    customer, product_index
):
    order = make_placed_order(customer, (make_product(product_index, price="100.00"), 1))
    order.shipping, order.tax_rate, order.tax_on_shipping = Decimal("10.00"), Decimal("5"), True
    order.save()

    totals = pricing.recalculate_order(order)

    order.refresh_from_db()
    assert (order.shipping, order.tax, order.total) == (
        Decimal("10.00"), Decimal("5.50"), Decimal("115.50")
    )
    assert totals.total == order.total
