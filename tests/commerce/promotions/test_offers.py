"""The Current offers block: its copy is written from the live bulk discount setting and the
public vouchers, on the home page and on product pages, fresh even from the page cache."""

import datetime
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import Site
from wagtail.test.utils.form_data import nested_form_data, streamfield

from commerce.promotions.models import BulkDiscountSettings, Voucher, VoucherKind
from commerce.promotions.offers import NOT_STACKED, Offer, current_offers
from home.shared import page_cache
from tests.factories import edit_url, make_order, make_product, open_editor

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)
DEFAULT_BULK = "Buy 4 or more of one item: 20% off your order"


def offers_block(heading="Current offers"):
    return [("current_offers", {"heading": heading})]


def bulk_discount(**values):
    site = Site.objects.get(is_default_site=True)
    settings, _created = BulkDiscountSettings.objects.update_or_create(site=site, defaults=values)
    return settings


def make_voucher(code="SAVE10", value="10", public=True, **fields):
    return Voucher.objects.create(code=code, value=Decimal(value), public=public, **fields)


def headlines(now=None):
    return [offer.headline for offer in current_offers(now)]


@pytest.fixture
def offers_home(home_page):
    """The home page with a Current offers block under its hero."""
    home_page.hero = [
        ("hero", {"heading": "Laptops", "text": "", "call_to_action": {"text": "", "url": ""}}),
        *offers_block(),
    ]
    home_page.save_revision().publish()
    return home_page


@pytest.fixture
def offers_laptop(product_index):
    return make_product(product_index, "Offer Laptop", promotions=offers_block())


# The copy, from the rules.

def test_the_bulk_discount_is_offered_from_its_threshold_and_percentage(home_page):
    assert headlines() == [DEFAULT_BULK]

    bulk_discount(threshold=2, percentage=Decimal("12.50"))

    assert headlines() == ["Buy 3 or more of one item: 12.5% off your order"]


@pytest.mark.parametrize("values", [{"enabled": False}, {"percentage": Decimal("0")}])
def test_a_bulk_discount_that_is_off_or_worth_nothing_is_not_offered(home_page, values):
    bulk_discount(**values)
    assert current_offers() == []


def test_a_public_voucher_in_its_dates_is_offered_with_its_terms(home_page):
    bulk_discount(enabled=False)
    ends = timezone.make_aware(datetime.datetime(2099, 3, 4, 17, 30))
    make_voucher(minimum_order=Decimal("50.00"), ends_at=ends, per_customer_limit=1)

    assert current_offers() == [
        Offer(
            headline="10% off your order",
            detail="Enter the code in your cart on orders of $50.00 or more, until March 4, "
            "2099 at 17:30. Once per customer.",
            code="SAVE10",
        )
    ]


def test_a_fixed_amount_voucher_ending_at_midnight_is_offered_until_the_day_before(home_page):
    bulk_discount(enabled=False)
    midnight = timezone.make_aware(datetime.datetime(2099, 3, 4))
    make_voucher("TAKE15", "15.00", kind=VoucherKind.FIXED, ends_at=midnight)

    [offer] = current_offers()

    assert offer.headline == "$15.00 off your order"
    assert offer.detail == "Enter the code in your cart, until the end of March 3, 2099."
    assert offer.code == "TAKE15"


@pytest.mark.parametrize(
    "fields",
    [
        {"public": False},
        {"active": False},
        {"ends_at": NOW - DAY},
        {"starts_at": NOW + DAY},
    ],
    ids=["not public", "inactive", "expired", "not started"],
)
def test_a_voucher_shoppers_could_not_use_or_should_not_see_is_not_offered(home_page, fields):
    make_voucher(**fields)
    assert headlines(NOW) == [DEFAULT_BULK]


def test_a_used_up_voucher_is_not_offered(home_page, product_index, customer):
    voucher = make_voucher(usage_limit=1)
    assert len(current_offers()) == 2

    order = make_order(customer, [make_product(product_index)])
    order.voucher = voucher
    order.save()

    assert headlines() == [DEFAULT_BULK]


def test_a_voucher_is_offered_from_its_start_to_its_end(home_page):
    make_voucher(starts_at=NOW, ends_at=NOW + DAY)

    assert headlines(NOW - datetime.timedelta(seconds=1)) == [DEFAULT_BULK]
    assert headlines(NOW) == [DEFAULT_BULK, "10% off your order"]
    assert headlines(NOW + DAY) == [DEFAULT_BULK]


def test_shoppers_are_told_the_bulk_discount_and_a_voucher_do_not_stack(home_page):
    assert NOT_STACKED not in current_offers()[0].detail

    make_voucher()

    assert NOT_STACKED in current_offers()[0].detail
    assert "whichever saves more" in NOT_STACKED


def test_the_offers_cost_two_queries(home_page, django_assert_max_num_queries):
    bulk_discount(threshold=5)
    make_voucher()
    make_voucher("TAKE15", "15.00", kind=VoucherKind.FIXED)

    with django_assert_max_num_queries(2):
        assert len(current_offers()) == 3


# The block on the pages shoppers see.

def test_a_new_bulk_discount_rule_changes_the_home_page_copy(client, offers_home):
    assert DEFAULT_BULK in client.get("/").content.decode()

    bulk_discount(threshold=2, percentage=Decimal("15.00"))

    html = client.get("/").content.decode()
    assert "Buy 3 or more of one item: 15% off your order" in html
    assert "20%" not in html


def test_a_new_bulk_discount_rule_changes_the_product_page_copy(client, offers_laptop):
    html = client.get(offers_laptop.url).content.decode()
    assert '<h2 class="offers__heading"' in html
    assert DEFAULT_BULK in html

    bulk_discount(threshold=9, percentage=Decimal("7.25"))

    assert "Buy 10 or more of one item: 7.25% off your order" in (
        client.get(offers_laptop.url).content.decode()
    )


def test_the_block_shows_a_public_voucher_and_its_code(client, offers_laptop):
    make_voucher("WELCOME", "5", minimum_order=Decimal("100.00"))
    make_voucher("SECRET", "50", public=False)

    html = client.get(offers_laptop.url).content.decode()

    assert "Code: <strong>WELCOME</strong>" in html
    assert "5% off your order" in html
    assert "on orders of $100.00 or more" in html
    assert "SECRET" not in html


def test_a_product_page_without_the_block_shows_no_offers(client, product_index):
    laptop = make_product(product_index, "Plain Laptop")
    assert "offers__heading" not in client.get(laptop.url).content.decode()


def test_with_no_offers_running_the_block_shows_nothing(client, offers_home):
    bulk_discount(enabled=False)

    html = client.get("/").content.decode()

    assert 'class="offers' not in html
    assert "Current offers" not in html


def test_what_editors_and_marketers_typed_is_escaped(client, product_index):
    laptop = make_product(
        product_index, "Escaped Laptop", promotions=offers_block("<em>Deals</em> & more")
    )
    # Normalising a code only trims and capitalises it: markup survives, so it must be escaped.
    make_voucher('<B ONCLICK="X()">HI</B>')

    html = client.get(laptop.url).content.decode()

    assert "&lt;em&gt;Deals&lt;/em&gt; &amp; more" in html
    assert "<em>Deals" not in html
    assert "&lt;B ONCLICK=&quot;X()&quot;&gt;HI&lt;/B&gt;" in html
    assert "<B ONCLICK" not in html


def test_a_block_without_a_heading_is_headed_current_offers(client, product_index):
    laptop = make_product(product_index, "Headless Laptop", promotions=offers_block(""))
    assert ">Current offers</h2>" in client.get(laptop.url).content.decode()


def test_a_home_page_with_only_offers_keeps_its_title_as_h1(client, home_page):
    home_page.hero = offers_block()
    home_page.save_revision().publish()

    html = client.get("/").content.decode()

    assert html.count("<h1") == 1
    assert f"<h1>{home_page.title}</h1>" in html
    assert DEFAULT_BULK in html
    # The offers change: the page's description does not quote them.
    assert "Buy 4" not in home_page.specific.default_meta_description()


# Fresh from the page cache.

@pytest.mark.usefixtures("enabled_page_cache")
def test_the_cached_home_page_shows_a_new_percentage_and_a_new_voucher_at_once(
    client, offers_home, commit
):
    client.get("/")
    assert client.get("/").get(page_cache.CACHE_STATUS_HEADER) == "hit"

    with commit():
        bulk_discount(percentage=Decimal("15.00"))
    html = client.get("/").content.decode()
    assert "Buy 4 or more of one item: 15% off your order" in html
    assert "JUNE10" not in html

    with commit():
        voucher = make_voucher("JUNE10")
    assert "Code: <strong>JUNE10</strong>" in client.get("/").content.decode()

    with commit():
        voucher.public = False
        voucher.save()
    assert "JUNE10" not in client.get("/").content.decode()


@pytest.mark.usefixtures("enabled_page_cache")
def test_a_public_code_shows_when_it_starts_with_nothing_saved_or_run(client, offers_home):
    make_voucher("SOON10", starts_at=timezone.now() + datetime.timedelta(seconds=2))
    client.get("/")
    cached = client.get("/")
    assert cached.get(page_cache.CACHE_STATUS_HEADER) == "hit"
    assert "SOON10" not in cached.content.decode()

    time.sleep(2.1)

    assert "Code: <strong>SOON10</strong>" in client.get("/").content.decode()


# The editor.

def test_an_editor_adds_the_block_to_a_product_page(client, admin_client, product_index):
    laptop = make_product(product_index, "Edited Laptop")
    editor = admin_client.get(edit_url(laptop)).content.decode()
    assert "Current offers" in editor  # the block is offered in the promotions field
    data = open_editor(admin_client, laptop)
    data.update(nested_form_data({"promotions": streamfield(offers_block("This week only"))}))
    data["action-publish"] = "action-publish"

    response = admin_client.post(edit_url(laptop), data)

    assert response.status_code == 302
    html = client.get(laptop.url).content.decode()
    assert ">This week only</h2>" in html
    assert DEFAULT_BULK in html


def test_a_voucher_made_public_edited_or_deleted_shows_on_the_next_product_page(
    client, offers_laptop
):
    assert "WELCOME" not in client.get(offers_laptop.url).content.decode()  # held from now
    voucher = make_voucher("WELCOME", "5")
    assert "Code: <strong>WELCOME</strong>" in client.get(offers_laptop.url).content.decode()

    voucher.value = Decimal("8")
    voucher.save()
    assert "8% off your order" in client.get(offers_laptop.url).content.decode()

    voucher.delete()
    assert "WELCOME" not in client.get(offers_laptop.url).content.decode()


def test_a_voucher_used_up_by_an_order_leaves_the_next_product_page(
    client, offers_laptop, product_index, customer
):
    voucher = make_voucher("ONCE", "5", usage_limit=1)
    assert "Code: <strong>ONCE</strong>" in client.get(offers_laptop.url).content.decode()

    order = make_order(customer, [make_product(product_index, "Another Laptop")])
    order.voucher = voucher
    order.save()

    assert "ONCE" not in client.get(offers_laptop.url).content.decode()
