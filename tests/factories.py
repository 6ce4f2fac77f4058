"""Small builders for test data: a site with a home page, a catalogue, products, customers,
orders, reviews and staff."""

import uuid
from decimal import Decimal
from io import BytesIO
from itertools import count

from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.images import ImageFile
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from wagtail.images import get_image_model
from wagtail.models import Page, Site
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, streamfield

from commerce import pricing
from commerce.cart import carts as cart
from commerce.checkout import place_order as checkout
from commerce.checkout.models import CheckoutDetail
from commerce.checkout.place_order import BILLING_FIELDS, snapshot_billing
from commerce.customers.models import Customer
from commerce.orders.models import Order, OrderItem, OrderStatus
from commerce.payments.models import PaymentMethod, PaymentStatus
from commerce.payments.testcard import CardDetails
from commerce.reviews.models import Review
from commerce.shipping.models import ShippingMethod, TaxRate
from commerce.shipping.rates import cheapest, checkout_totals, shipping_options
from home.management.commands import seed_demo
from home.models import HomePage
from home.shared.seller import SellerIdentity
from products.demo_images import draw_product_image
from products.models import ProductIndexPage, ProductPage
from products.stock import sync_products
from products.variants import ProductVariant
from support.models import Contact, ContactPage


def make_home_page(title="Storefront"):
    """The site root, replacing Wagtail's placeholder welcome page.

    Works on a flushed database too (after a transactional test), where Wagtail's root page
    and locale must first be recreated as seed_demo does.
    """
    root = seed_demo.Command().ensure_wagtail_roots()
    Page.objects.filter(depth=2, content_type__model="page").delete()
    root.refresh_from_db()
    home = root.add_child(instance=HomePage(title=title, slug="home"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home},
    )
    return home


def make_product_index(home, title="Shop", slug="shop"):
    return home.add_child(instance=ProductIndexPage(title=title, slug=slug))


def make_image(title="Test laptop"):
    buffer = BytesIO(draw_product_image(title, "Test"))
    buffer.name = f"{slugify(title)}.png"
    return get_image_model().objects.create(title=title, file=ImageFile(buffer))


def make_product(index, title="Test Laptop", price="999.00", stock=None, brand="Acme", ram=16,
                 tags=(), features=None, image=None, live=True, **fields):
    if features is None:
        features = [("brand", brand), ("ram", ram), ("weight", Decimal("1.40"))]
    product = ProductPage(
        title=title,
        slug=fields.pop("slug", slugify(title)),
        price=Decimal(price),
        stock=stock,
        features=features,
        image=image,
        live=live,
        **fields,
    )
    index.add_child(instance=product)
    if tags:
        product.tags.add(*tags)
        product.save()
    if live:
        product.save_revision().publish()
    else:
        product.save_revision()
    return product


def make_variants(product, *variants):
    """Sell `product` in the configurations `variants` (dicts of ProductVariant fields, prices
    as text) instead of its one default variant; returns them in order."""
    ProductVariant.objects.filter(product=product).delete()
    made = [
        ProductVariant.objects.create(
            product=product, sort_order=number,
            **{name: Decimal(value) if name == "price" and value is not None else value
               for name, value in fields.items()},
        )
        for number, fields in enumerate(variants)
    ]
    sync_products([product.pk])
    product.refresh_from_db()
    return made


def variant_of(product):
    """The variant of a product sold in one configuration."""
    return ProductVariant.objects.get(product=product)


def put_on_shelf(product, count):
    """Set the stock of `product`'s variants to `count` in the database, as sales or staff
    elsewhere would leave it (the ledger is not written), and its stock total with it."""
    ProductVariant.objects.filter(product=product).update(stock=count)
    sync_products([product.pk])


def make_customer(username="ada", name="Ada Lovelace", password="shop-test-pass", *,
                  email=None, phone=""):
    user = get_user_model().objects.create_user(
        username=username, email=email or f"{username}@example.com", password=password
    )
    return Customer.objects.create(user=user, name=name, email=user.email, phone=phone)


def make_staff_user(username="moderator", superuser=True, password="staff-test-pass"):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.com", password)
    return User.objects.create_user(username, f"{username}@example.com", password, is_staff=True)


def make_admin_user(username, permissions=(), *, group=None, password="staff-test-pass"):
    """A Wagtail admin user, not a superuser, holding `permissions` ("app_label.codename")
    through `group` (a new group of their own unless given)."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", password)
    group = group or Group.objects.create(name=f"{username} group")
    for permission in ("wagtailadmin.access_admin", *permissions):
        app_label, codename = permission.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    user.groups.add(group)
    return user


def make_staff_in_role(role, username=None):
    """A staff member in one of the role groups the staff_roles migration creates."""
    user = make_staff_user(username or role.lower(), superuser=False)
    user.groups.add(Group.objects.get(name=role))
    return user


_order_numbers = count(1)


def make_order(customer, lines=(), status=OrderStatus.PLACED, date_ordered=None, checkout=False,
               **checkout_fields):
    """An order made directly, not through checkout: no stock is taken.

    `lines` are products (one of each) or (product, quantity) pairs at the product's price; the
    totals are computed by the OrderItem signals. A placed order is numbered and dated (now,
    unless `date_ordered`), a cart is not. With `checkout`, the order gets delivery and payment
    details (see make_checkout_detail; `checkout_fields` override them). For an order placed
    as a customer places one, use make_placed_order.
    """
    placed = status != OrderStatus.CART
    order = Order.objects.create(
        customer=customer,
        status=status,
        number=f"T{next(_order_numbers):06d}" if placed else None,
        date_ordered=(date_ordered or timezone.now()) if placed else None,
    )
    for line in lines:
        product, quantity = line if isinstance(line, tuple) else (line, 1)
        OrderItem.objects.create(
            order=order, product=product, product_name=product.title, unit_price=product.price,
            quantity=quantity,
        )
    if placed:
        # As checkout does: priced once with today's rule, and who is billed copied in.
        pricing.recalculate_order(order)
        snapshot_billing(order, customer, {**DELIVERY, **checkout_fields})
        order.save(update_fields=BILLING_FIELDS)
    if checkout:
        make_checkout_detail(order, **checkout_fields)
    order.refresh_from_db()
    return order


DELIVERY = {
    "address": "1 Market Street",
    "address_line2": "",
    "city": "Springfield",
    "state": "IL",
    "zip_code": "62701",
    "country": "US",
    "phone": "5551234567",
}


def make_checkout_detail(order, **fields):
    """Delivery and payment details for `order`: DELIVERY, paid by a Visa card ending 4242
    (its total authorised and captured), unless `fields` say otherwise. A cash-on-delivery
    payment has nothing captured."""
    card = fields.get("payment_method", PaymentMethod.CARD) == PaymentMethod.CARD
    taken = order.total if card else Decimal("0.00")
    return CheckoutDetail.objects.create(
        order=order,
        customer=order.customer,
        **{
            **DELIVERY,
            "payment_method": PaymentMethod.CARD,
            "payment_status": PaymentStatus.AUTHORISED,
            "payment_token": "test_made_by_factory",  # as TestCardGateway issues them
            "card_brand": "Visa",
            "card_last4": "4242",
            "amount_authorised": taken,
            "amount_captured": taken,
            **fields,
        },
    )


TEST_CARD = CardDetails("4242424242424242", 12, timezone.now().year + 1, "123")


def make_placed_order(customer, *lines, payment_method="cod", delivery=None,
                      shipping_method=None):
    """An order placed the way a customer places one: `lines` of (product, quantity) go into
    the customer's cart, then through checkout.place_order (stock is taken, prices snapshotted),
    shipped by `shipping_method` (by default the cheapest serving the state, as checkout
    preselects it; none if the shop has none). Paying by "card" pays with TEST_CARD through
    the test gateway.
    """
    customer_cart = cart.CustomerCart(customer)
    for product, quantity in lines:
        cart.add_to_cart(customer_cart, product.pk, quantity)
    delivery = delivery or DELIVERY
    contents = customer_cart.contents()
    if shipping_method is None:
        best = cheapest(shipping_options(delivery["state"], contents.lines, contents.rule))
        shipping_method = best.method if best else None
    delivery = {**delivery, "shipping_method": shipping_method}
    shown = checkout_totals(contents, delivery["state"], shipping_method)
    return checkout.place_order(
        customer, delivery, payment_method, checkout_token=uuid.uuid4(),
        expected_total=shown.totals.total,
        card=TEST_CARD if payment_method == PaymentMethod.CARD else None,
    )


def make_guest_order(*lines, name="Grace Guest", email="grace.guest@example.com",
                     payment_method="cod", delivery=None):
    """An order placed by a guest, as the checkout page places one: `lines` of (product,
    quantity) go into a fresh session's cart, then through checkout.place_order."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session_cart = cart.SessionCart(session)
    for product, quantity in lines:
        cart.add_to_cart(session_cart, product.pk, quantity)
    return checkout.place_order(
        checkout.Guest(session, email=email, name=name), delivery or DELIVERY, payment_method,
        checkout_token=uuid.uuid4(), expected_total=session_cart.contents().totals.total,
        card=TEST_CARD if payment_method == PaymentMethod.CARD else None,
    )


def cart_total(customer):
    """The total the customer's cart shows now, as the checkout page hands it to the form."""
    return cart.CustomerCart(customer).contents().totals.total


def make_review(customer, product, rating=5, content="Does what it says.", **fields):
    """A review saved directly, skipping the purchase check (see commerce.reviews for that)."""
    return Review.objects.create(
        customer=customer, product=product, rating=rating, content=content, **fields
    )


def make_contact_page(home, title="Contact us", slug="contact", **fields):
    page = home.add_child(instance=ContactPage(title=title, slug=slug, **fields))
    page.save_revision().publish()
    return page


def make_inquiry(name="Grace Hopper", email="grace@example.com",
                 description="My laptop will not charge.", **fields):
    return Contact.objects.create(name=name, email=email, description=description, **fields)


def edit_url(product):
    return reverse("wagtailadmin_pages:edit", args=[product.pk])


def stream_form_values(stream):
    """A StreamField's value as the editor's JavaScript would submit it."""
    return [(child.block_type, child.block.get_form_state(child.value)) for child in stream]


def open_editor(client, product, url=None):
    """The edit form as the browser would submit it, from the page the editor was shown."""
    response = client.get(url or edit_url(product))
    assert response.status_code == 200
    html = response.content.decode()
    data = querydict_from_html(html, form_id="page-edit-form")
    # A ticked box without a value attribute is sent as "on" by browsers (Wagtail's helper
    # sends "", which Django reads as unticked).
    for box in BeautifulSoup(html, "html.parser").select("input[type=checkbox][checked]"):
        if box.get("name") in data and "value" not in box.attrs:
            data.setlist(box["name"], ["on"])
    # StreamField editors (specs, promotions) are drawn by JavaScript, so their inputs are not
    # in the HTML.
    streams = {name: getattr(product, name) for name in ("features", "promotions")}
    for key, value in nested_form_data(
        {name: streamfield(stream_form_values(stream)) for name, stream in streams.items()}
    ).items():
        data[key] = value
    return data


# What a customer might type to plant a formula in a staff member's spreadsheet (OWASP CSV
# injection): each must come out of every export as text, behind a single quote.
FORMULA_PAYLOADS = (
    '=HYPERLINK("http://evil.example","Click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1 free laptop",
    "-2 off",
    "\t=1+1",
    "\r=1+1",
)


# A sign-up form as a shopper fills it in.
SIGN_UP = {
    "username": "grace",
    "name": "Grace Hopper",
    "email": "grace@example.com",
    "phone": "(555) 010-2020",
    "password1": "cobol-compiler-1959",
    "password2": "cobol-compiler-1959",
}


def make_shipping_method(name="Standard", flat_price="5.00", price_per_kg=None, free_above=None,
                         states=(), estimate="3–5 business days", **fields):
    return ShippingMethod.objects.create(
        name=name, delivery_estimate=estimate, flat_price=Decimal(flat_price),
        price_per_kg=Decimal(price_per_kg) if price_per_kg is not None else None,
        free_above=Decimal(free_above) if free_above is not None else None,
        states=list(states), **fields,
    )


def make_tax_rate(state, rate, taxes_shipping=False):
    return TaxRate.objects.create(state=state, rate=Decimal(rate), taxes_shipping=taxes_shipping)


SELLER = {
    "legal_name": "Storefront Trading LLC",
    "address": "400 Commerce Way\nSuite 12\nPortland, OR 97201",
    "tax_number": "EIN 12-3456789",
    "support_email": "help@storefront.example",
}


def make_seller(**fields):
    """The default site's seller: SELLER, unless `fields` say otherwise."""
    site = Site.objects.get(is_default_site=True)
    seller, _ = SellerIdentity.objects.update_or_create(site=site, defaults={**SELLER, **fields})
    return seller
