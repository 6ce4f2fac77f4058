"""Property: after any sequence of cart operations (voucher codes entered and removed, and sales
starting and ending, included), the totals stored on the order are the pricing function applied
to what is in the cart, and the cart page shows today's."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from wagtail.models import Site

from commerce import pricing
from commerce.cart.carts import (
    CartError,
    CustomerCart,
    add_to_cart,
    apply_voucher,
    change_quantity,
    remove_from_cart,
    remove_voucher,
)
from commerce.orders.models import MAX_QUANTITY, Order, OrderStatus
from commerce.promotions.models import BulkDiscountSettings, Voucher, VoucherKind
from products.models import ProductPage
from products.stock import sync_products
from tests.factories import make_customer, make_home_page, make_product, make_product_index

PRICES = ["0.05", "19.99", "1234.57"]
SALE_PRICES = ["0.03", "14.99", "999.99"]
# Codes the shopper may type: a percentage, a fixed amount from a minimum, and one that does not
# exist (refused, changing nothing).
CODES = ["TEN", "FIVEOFF", "NOSUCH"]

product_choice = st.integers(0, len(PRICES) - 1)
quantity = st.integers(-3, MAX_QUANTITY + 20)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), product_choice, quantity),
        st.tuples(st.just("change"), product_choice, quantity),
        st.tuples(st.just("remove"), product_choice),
        st.tuples(st.just("view")),
        st.tuples(st.just("voucher"), st.sampled_from(CODES)),
        st.tuples(st.just("no voucher")),
        st.tuples(st.just("sale"), product_choice, st.booleans()),
        st.tuples(
            st.just("rule"),
            st.integers(1, 6),
            st.sampled_from(["5", "12.5", "20", "33.33"]),
            st.booleans(),
        ),
    ),
    min_size=1,
    max_size=25,
)


class StoredTotalsProperty(TestCase):
    @classmethod
    def setUpTestData(cls):
        index = make_product_index(make_home_page())
        cls.products = [
            make_product(index, f"Product {number}", price=price)
            for number, price in enumerate(PRICES)
        ]
        cls.customer = make_customer()
        cls.site = Site.objects.get(is_default_site=True)
        Voucher.objects.create(code="TEN", value=Decimal("10"))
        Voucher.objects.create(
            code="FIVEOFF", kind=VoucherKind.FIXED, value=Decimal("5.00"),
            minimum_order=Decimal("50.00"),
        )

    @settings(max_examples=60, deadline=None)
    @given(operations)
    def test_stored_totals_always_equal_the_pricing_function(self, steps):
        cart = CustomerCart(self.customer)
        expected = {}  # product id -> quantity the cart should hold
        self.code = ""  # the voucher code the cart should hold
        self.on_sale = set()  # indexes of the products on sale
        ProductPage.objects.update(sale_price=None)
        sync_products([product.pk for product in self.products])
        priced_with = pricing.current_discount_rule()
        self.prices_then = self.prices_now()  # the prices the cart was last priced at
        for step in steps:
            kind, *args = step
            if kind in ("voucher", "no voucher"):
                if self.enter_code(cart, expected, *args):
                    priced_with = pricing.current_discount_rule()
                    self.prices_then = self.prices_now()
                self.assert_stored_totals_match(expected, priced_with)
                continue
            if kind == "sale":
                self.put_on_sale(*args)
                continue  # as for the rule: repriced on the cart's next change
            if kind == "rule":
                threshold, percentage, enabled = args
                BulkDiscountSettings.objects.update_or_create(
                    site=self.site,
                    defaults={"threshold": threshold, "percentage": Decimal(percentage),
                              "enabled": enabled},
                )
                continue  # stored totals are repriced on the cart's next change
            if kind == "view":
                shown = CustomerCart(self.customer).contents().totals
                assert shown == self.priced(
                    expected, pricing.current_discount_rule(), self.prices_now()
                )
            else:
                product = self.products[args[0]]
                if self.apply(cart, expected, kind, product, *args[1:]):
                    priced_with = pricing.current_discount_rule()
                    self.prices_then = self.prices_now()
            self.assert_stored_totals_match(expected, priced_with)

    def put_on_sale(self, number, on):
        """Start (or end) a sale of product `number`, as an editor saving it would."""
        product = self.products[number]
        ProductPage.objects.filter(pk=product.pk).update(
            sale_price=Decimal(SALE_PRICES[number]) if on else None
        )
        sync_products([product.pk])
        (self.on_sale.add if on else self.on_sale.discard)(number)

    def prices_now(self):
        return {
            product.pk: Decimal(SALE_PRICES[number] if number in self.on_sale else PRICES[number])
            for number, product in enumerate(self.products)
        }

    def enter_code(self, cart, expected, code=None):
        """Enter `code` (None: remove the code); True if the cart was repriced."""
        if code is None:
            had = bool(self.code)
            remove_voucher(cart)
            self.code = ""
            return had and bool(expected)
        try:
            apply_voucher(cart, code)
        except CartError:
            return False
        self.code = code
        return True

    def apply(self, cart, expected, kind, product, *args):
        """Run one cart operation; check it changed `expected` exactly as allowed."""
        before = dict(expected)
        try:
            if kind == "add":
                add_to_cart(cart, product.pk, args[0])
                expected[product.pk] = expected.get(product.pk, 0) + args[0]
            elif kind == "change":
                change_quantity(cart, product.pk, args[0])
                expected[product.pk] = args[0]
            else:
                remove_from_cart(cart, product.pk)
                # Removing what is not in the cart changes nothing, so nothing is repriced.
                return expected.pop(product.pk, None) is not None
        except CartError:
            assert expected == before
            return False
        assert all(1 <= units <= MAX_QUANTITY for units in expected.values())
        return True

    def assert_stored_totals_match(self, expected, rule):
        order = Order.objects.filter(customer=self.customer, status=OrderStatus.CART).first()
        if order is None:
            assert not expected
            return
        in_cart = dict(order.items.values_list("product", "quantity"))
        assert in_cart == expected
        totals = self.priced(expected, rule, self.prices_then)
        assert (order.subtotal, order.discount, order.total, order.discount_name) == (
            totals.subtotal, totals.discount, totals.total, totals.discount_name
        )
        assert order.voucher_code == self.code
        assert order.total == order.subtotal - order.discount
        assert (order.shipping, order.tax) == (0, 0)  # a cart's are estimated, never stored

    def priced(self, expected, rule, prices):
        voucher = pricing.voucher_terms(Voucher.objects.filter(code=self.code).first())
        return pricing.price_lines(
            [(prices[pk], units) for pk, units in expected.items()], rule, voucher=voucher
        )


money = st.decimals(min_value=0, max_value=5000, places=2)
optional_money = st.none() | money
rules = st.builds(
    pricing.DiscountRule,
    threshold=st.integers(1, 6),
    percentage=st.decimals(min_value="0.01", max_value=90, places=2),
    enabled=st.booleans(),
)
deliveries = st.builds(
    pricing.Delivery,
    method=st.none() | st.builds(
        pricing.ShippingRate, flat_price=money, price_per_kg=optional_money,
        free_above=optional_money,
    ),
    weight_kg=st.decimals(min_value=0, max_value=200, places=3),
    tax_rule=st.none() | st.builds(
        pricing.TaxRule, percentage=st.decimals(min_value=0, max_value=15, places=3),
        taxes_shipping=st.booleans(),
    ),
)
vouchers = st.none() | st.builds(
    pricing.VoucherTerms,
    code=st.just("CODE"),
    percentage=st.none() | st.decimals(min_value="0.01", max_value=90, places=2),
    amount_off=st.decimals(min_value="0.01", max_value=5000, places=2),
    minimum=optional_money,
)
order_lines = st.lists(
    st.tuples(st.decimals(min_value=0, max_value=3000, places=2), st.integers(1, MAX_QUANTITY)),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(order_lines, rules, deliveries)
def test_the_total_is_the_sum_of_its_parts_and_never_negative(lines, rule, delivery):
    totals = pricing.price_lines(lines, rule, delivery)

    assert totals.total == totals.subtotal - totals.discount + totals.shipping + totals.tax
    assert min(totals.total, totals.discount, totals.shipping, totals.tax) >= 0
    assert totals.discount <= totals.subtotal
    for amount in (totals.subtotal, totals.discount, totals.shipping, totals.tax, totals.total):
        assert amount == amount.quantize(pricing.CENT)


@settings(max_examples=300, deadline=None)
@given(order_lines, rules, deliveries)
def test_recomputing_from_what_an_order_stored_changes_nothing(lines, rule, delivery):
    """A placed order keeps the shipping it was charged and its tax rate (stored_delivery)."""
    totals = pricing.price_lines(lines, rule, delivery)
    stored = pricing.Delivery(
        method=pricing.ShippingRate(flat_price=totals.shipping), tax_rule=delivery.tax_rule
    )

    assert pricing.price_lines(lines, rule, delivery) == totals
    assert pricing.price_lines(lines, rule, stored) == totals


@settings(max_examples=300, deadline=None)
@given(order_lines, rules, deliveries, st.randoms(use_true_random=False))
def test_the_order_of_the_lines_does_not_matter(lines, rule, delivery, random):
    shuffled = list(lines)
    random.shuffle(shuffled)

    assert pricing.price_lines(shuffled, rule, delivery) == pricing.price_lines(
        lines, rule, delivery
    )


@settings(max_examples=300, deadline=None)
@given(order_lines, rules, deliveries, vouchers)
def test_a_voucher_and_the_bulk_discount_never_stack_the_better_one_applies(
    lines, rule, delivery, voucher
):
    totals = pricing.price_lines(lines, rule, delivery, voucher)
    bulk = pricing.discount(lines, rule)
    with_voucher = pricing.voucher_discount(voucher, pricing.subtotal(lines))

    assert totals.discount == max(bulk, with_voucher)
    assert totals.total == totals.subtotal - totals.discount + totals.shipping + totals.tax
    assert min(totals.total, totals.discount) >= 0
    assert totals.discount <= totals.subtotal
    assert (totals.voucher is not None) == (with_voucher > bulk)
    assert bool(totals.discount_name) == bool(totals.discount)
