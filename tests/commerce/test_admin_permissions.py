"""Who may use which part of the admin: each role against each area, plus outsiders.

Areas whose model another part of the shop adds (reviews, inquiries, the discount setting)
are skipped, with the reason, until that model is installed.
"""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Site

from commerce.orders.models import OrderStatus
from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from tests.factories import make_customer, make_order, make_staff_in_role

pytestmark = pytest.mark.django_db

SUPERUSER = "superuser"

ALLOWED = {
    "dashboard": {MARKETERS, SUPPORT, FULFILMENT},
    "page editing": {MARKETERS},
    "products": {MARKETERS},
    "images": {MARKETERS},
    "documents": {MARKETERS},
    "tags": {MARKETERS},
    "settings": {MARKETERS},
    "support settings": {SUPPORT},
    "orders list": {SUPPORT, FULFILMENT},
    "order view": {SUPPORT, FULFILMENT},
    "order status change": {FULFILMENT},
    "customers": {SUPPORT},
    "reviews": {SUPPORT},
    "inquiries": {SUPPORT},
    "fulfilment": {FULFILMENT},
}

# Areas that exist once another part of the shop lands its model.
AREA_MODELS = {
    "settings": "commerce.BulkDiscountSettings",
    "support settings": "support.SupportSettings",
    "reviews": "commerce.Review",
    "inquiries": "support.Contact",
}


def is_installed(model_label):
    try:
        apps.get_model(model_label)
    except LookupError:
        return False
    return True


def area_param(area):
    model_label = AREA_MODELS.get(area)
    marks = []
    if model_label and not is_installed(model_label):
        marks = [pytest.mark.skip(reason=f"{model_label} is not installed yet")]
    return pytest.param(area, marks=marks, id=area)


AREAS = [area_param(area) for area in ALLOWED]


def snippet_list_url(model_label):
    return reverse(apps.get_model(model_label).snippet_viewset.get_url_name("list"))


def settings_url(model_label):
    model = apps.get_model(model_label)
    args = [model._meta.app_label, model._meta.model_name]
    if issubclass(model, BaseSiteSetting):
        args.append(Site.objects.get(is_default_site=True).pk)
    return reverse("wagtailsettings:edit", args=args)


@pytest.fixture
def order(db):
    return make_order(make_customer("shopper", "Sam Shopper"), status=OrderStatus.PLACED)


def visit(client, area, home_page, order):
    """Use `area` of the admin as a staff member would; return the response."""
    if area == "order status change":
        url = reverse("wagtailsnippets_commerce_order:status", args=[order.pk])
        return client.post(url, {"status": OrderStatus.PAID})
    urls = {
        "dashboard": lambda: reverse("wagtailadmin_home"),
        "page editing": lambda: reverse("wagtailadmin_pages:edit", args=[home_page.pk]),
        "products": lambda: reverse(
            "wagtailadmin_pages:type_use", args=["products", "productpage"]
        ),
        "images": lambda: reverse("wagtailimages:index"),
        "documents": lambda: reverse("wagtaildocs:index"),
        "tags": lambda: snippet_list_url("taggit.Tag"),
        "settings": lambda: settings_url(AREA_MODELS["settings"]),
        "support settings": lambda: settings_url(AREA_MODELS["support settings"]),
        "orders list": lambda: snippet_list_url("commerce.Order"),
        "order view": lambda: reverse("wagtailsnippets_commerce_order:inspect", args=[order.pk]),
        "customers": lambda: snippet_list_url("commerce.Customer"),
        "reviews": lambda: snippet_list_url(AREA_MODELS["reviews"]),
        "inquiries": lambda: snippet_list_url(AREA_MODELS["inquiries"]),
        "fulfilment": lambda: "/admin/fulfilment/",
    }
    return client.get(urls[area]())


def assert_allowed(response, area, order):
    if area == "order status change":
        order.refresh_from_db()
        assert order.status == OrderStatus.PAID
        assert response.status_code == 302
    else:
        assert response.status_code == 200


def assert_refused(response, area, order, redirect_to):
    assert response.status_code == 302
    assert response["Location"].startswith(redirect_to)
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("role", [MARKETERS, SUPPORT, FULFILMENT, SUPERUSER])
def test_each_role_reaches_exactly_its_areas(client, home_page, order, role, area):
    if role == SUPERUSER:
        user = get_user_model().objects.create_superuser("boss", "boss@shop.example", "pw")
    else:
        user = make_staff_in_role(role)
    client.force_login(user)

    response = visit(client, area, home_page, order)

    if role == SUPERUSER or role in ALLOWED[area]:
        assert_allowed(response, area, order)
    else:
        assert_refused(response, area, order, redirect_to=reverse("wagtailadmin_home"))


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("visitor", ["shopper", "anonymous"])
def test_shoppers_and_anonymous_visitors_are_sent_to_log_in(
    client, home_page, order, visitor, area
):
    if visitor == "shopper":
        client.force_login(order.customer.user)

    response = visit(client, area, home_page, order)

    assert_refused(response, area, order, redirect_to=reverse("wagtailadmin_login"))


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (MARKETERS, {"Pages", "Products", "Images", "Tags"},
         {"Shop", "Orders", "Customers", "Reviews", "Inquiries", "Fulfilment"}),
        (SUPPORT, {"Shop", "Orders", "Customers", "Reviews", "Inquiries"},
         {"Pages", "Products", "Images", "Tags", "Fulfilment"}),
        (FULFILMENT, {"Shop", "Orders", "Fulfilment"},
         {"Pages", "Products", "Images", "Tags", "Customers", "Reviews", "Inquiries"}),
    ],
)
def test_the_admin_menu_shows_each_role_only_its_areas(
    staff_client, home_page, role, shown, hidden
):
    client = staff_client(role)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    menu_labels = {label for label in shown | hidden if f'"label": "{label}"' in html}
    assert menu_labels == shown


def test_the_order_chooser_offers_the_orders_the_listing_shows_never_carts(admin_client, order):
    cart = make_order(make_customer("browser", "Bea Browser"), status=OrderStatus.CART)
    chooser = "/admin/snippets/choose/commerce/order/"

    listed = admin_client.get(chooser).content.decode()
    assert order.number in listed
    assert str(cart) not in listed
    assert str(cart) not in admin_client.get(chooser + "results/").content.decode()
    assert admin_client.get(f"{chooser}chosen/{cart.pk}/").status_code == 404
    assert admin_client.get(f"{chooser}chosen/{order.pk}/").status_code == 200
    chosen = admin_client.get(f"{chooser}chosen-multiple/?id={cart.pk}&id={order.pk}").json()
    assert [item["id"] for item in chosen["result"]] == [str(order.pk)]


@pytest.mark.parametrize(
    "model_label, offered, never_offered",
    [
        ("commerce.Order", {"view_order", "change_order_status"},
         {"add_order", "change_order", "delete_order"}),
        ("commerce.Customer", {"view_customer", "change_customer"},
         {"add_customer", "delete_customer"}),
        ("commerce.Review", {"view_review", "moderate_review", "delete_review"},
         {"add_review", "change_review"}),
        ("support.Contact", {"view_contact", "change_contact", "delete_contact"},
         {"add_contact"}),
    ],
)
def test_group_editor_offers_only_the_permissions_the_admin_grants(
    model_label, offered, never_offered
):
    """Checkout, sign-up and the review and contact forms write these records, so the group
    editor has no box for an admin write that nobody, superusers included, is allowed."""
    viewset = apps.get_model(model_label).snippet_viewset
    codenames = set(viewset.get_permissions_to_register().values_list("codename", flat=True))

    assert offered <= codenames
    assert not never_offered & codenames
