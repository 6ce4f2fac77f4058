"""Every admin URL against every role, read from the URL resolver.

Each URL pattern under /admin/ must appear in one of the tables below, so a new admin view
fails this test until someone decides who may open it:

- ALLOWED: the shop's own views and the Wagtail views that show shop records. Each one is
  opened as every role with real records; the roles listed get it, every other staff role is
  refused, and visitors who are not staff are sent to log in.
- WAGTAIL_OWN: Wagtail's areas that hold no shop records (pages, images, users, ...), governed by
  Wagtail's own permissions. Only visitors who are not staff are checked: they are sent to log in.
- PUBLIC: the admin's login and password-reset pages and static helpers.

"Refused" is how Wagtail answers a staff member without the permission: a redirect to the
admin home (with a "no permission" message), or 403 to a script. A refused answer must not
carry the customer's name or email.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern
from taggit.models import Tag
from wagtail.models import Site
from wagtail.snippets.models import get_snippet_models

from commerce.orders.models import OrderStatus
from commerce.promotions.models import Voucher
from commerce.shipping.models import ShippingMethod, TaxRate
from home.shared.admin_access import ShopSnippetViewSet
from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from products.back_in_stock import BackInStockRequest
from products.ledger import StockMovement, StockReason
from products.stock import set_stock
from tests.factories import (
    make_customer,
    make_inquiry,
    make_order,
    make_product,
    make_review,
    make_staff_in_role,
)

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
SHOPPER = "shopper"
SUPERUSER = "superuser"
STAFF = (MARKETERS, SUPPORT, FULFILMENT, SUPERUSER)
ALL_STAFF = frozenset(STAFF)
NOBODY = frozenset()

CUSTOMER_NAME = "Ada Lovelace"
CUSTOMER_EMAIL = "ada.lovelace@example.com"


def admin_url_patterns():
    """(name, route, argument names) of every URL pattern under /admin/."""
    found = []

    def walk(patterns, route, namespace):
        for pattern in patterns:
            here = route + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, here, inner)
            elif isinstance(pattern, URLPattern) and here.startswith("admin/"):
                name = pattern.name and ":".join(filter(None, [namespace, pattern.name]))
                if isinstance(pattern.pattern, RoutePattern):
                    arguments = tuple(pattern.pattern.converters)
                else:
                    arguments = tuple(pattern.pattern.regex.groupindex)
                found.append((name or here, here, arguments))

    walk(get_resolver().url_patterns, "", None)
    return found


def snippet_namespaces():
    """URL namespace (listing and chooser) to snippet model, for every snippet model."""
    namespaces = {}
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        namespaces[viewset.get_admin_url_namespace()] = model
        namespaces[viewset.get_chooser_admin_url_namespace()] = model
    return namespaces


# Views whose arguments name a model: which shop models to open them for.
MODEL_ARGUMENT_CASES = {
    "wagtailsettings:edit": [
        "commerce.bulkdiscountsettings", "commerce.checkoutsettings", "support.supportsettings",
        "commerce.shippingsettings", "home.selleridentity",
    ],
    "wagtailsettings:preview_on_edit": [
        "commerce.bulkdiscountsettings", "commerce.checkoutsettings",
    ],
    "wagtail_bulk_action": [
        "commerce.order", "commerce.customer", "commerce.review", "support.contact",
        "products.stockmovement", "products.backinstockrequest", "commerce.shippingmethod",
        "commerce.taxrate", "commerce.voucher",
    ],
}
# Extra query strings a view is also opened with (searches, exports).
QUERY_CASES = {
    "list": ["", "?export=csv", "?export=xlsx", f"?q={CUSTOMER_NAME.split()[0]}"],
    "list_results": ["", f"?q={CUSTOMER_NAME.split()[0]}"],
    "choose": ["", f"?q={CUSTOMER_NAME.split()[0]}"],
    "choose_results": ["", f"?q={CUSTOMER_NAME.split()[0]}"],
    "fulfilment_modeladmin_index": ["", "?export=csv"],
    "wagtailadmin_pages:search": [f"?q={CUSTOMER_NAME.split()[0]}"],
}


@pytest.fixture
def records(home_page, product_index):
    """One of each shop record, all about the same customer."""
    customer = make_customer("ada", CUSTOMER_NAME, email=CUSTOMER_EMAIL)
    product = make_product(product_index)
    order = make_order(customer, [product], status=OrderStatus.PAID, checkout=True)
    cart = make_order(customer, [product], status=OrderStatus.CART)
    set_stock(product.pk, 7, reason=StockReason.STAFF_ADJUSTMENT)
    stock_movement = StockMovement.objects.get(product=product)
    return {
        "commerce.customer": customer,
        "commerce.order": order,
        "cart": cart,
        "commerce.review": make_review(customer, product),
        "support.contact": make_inquiry(name=CUSTOMER_NAME, email=CUSTOMER_EMAIL),
        "taggit.tag": Tag.objects.create(name="gaming", slug="gaming"),
        "product": product,
        "products.stockmovement": stock_movement,
        "products.backinstockrequest": BackInStockRequest.objects.create(
            product=product, email=CUSTOMER_EMAIL
        ),
        "commerce.shippingmethod": ShippingMethod.objects.create(
            name="Standard", delivery_estimate="3–5 business days", flat_price=5
        ),
        "commerce.taxrate": TaxRate.objects.create(state="CA", rate=7.25),
        "commerce.voucher": Voucher.objects.create(code="SAVE10", value=10),
        "home": home_page,
    }


def cases_for(name, arguments, records):
    """(label, url) pairs to open for one URL pattern, with real records as its arguments."""
    namespace, _, view = name.rpartition(":")
    model = snippet_namespaces().get(namespace)
    labels = [model._meta.label_lower] if model else [None]
    if name in MODEL_ARGUMENT_CASES:
        labels = MODEL_ARGUMENT_CASES[name]
    cases = []
    for label in labels:
        kwargs = {}
        for argument in arguments:
            if argument == "pk" and name.startswith("wagtailsettings:"):
                kwargs[argument] = Site.objects.get(is_default_site=True).pk
            elif argument == "pk" and label in records:
                kwargs[argument] = records[label].pk
            elif argument == "instance_pk":
                kwargs[argument] = records["commerce.order"].checkout_detail.pk
            elif argument == "number":
                kwargs[argument] = records["commerce.order"].number
            elif argument in ("app_label", "app_name", "model_name"):
                app_label, model_name = label.split(".")
                kwargs[argument] = app_label if argument != "model_name" else model_name
            elif argument == "action":
                kwargs[argument] = "delete"
            else:
                raise LookupError(f"no record for its argument {argument!r}")
        url = reverse(name, kwargs=kwargs)
        if name == "wagtail_bulk_action":
            url += f"?id={records[label].pk}"
        suffix = f"[{label}]" if name in MODEL_ARGUMENT_CASES else ""
        for query in QUERY_CASES.get(view or name, [""]):
            cases.append((name + suffix + query, url + query))
    return cases


def log_in_as(client, role, records):
    if role == ANONYMOUS:
        return
    if role == SHOPPER:
        client.force_login(records["commerce.customer"].user)
    elif role == SUPERUSER:
        client.force_login(
            get_user_model().objects.create_superuser("boss", "boss@shop.example", "pw")
        )
    else:
        client.force_login(make_staff_in_role(role))


# Who gets each shop view; the superuser is listed too, as some views are nobody's (orders are
# never edited in the admin, reviews never written there).
ORDERS = frozenset({SUPPORT, FULFILMENT, SUPERUSER})
SUPPORT_DESK = frozenset({SUPPORT, SUPERUSER})
MARKETING = frozenset({MARKETERS, SUPERUSER})
SHIPPING = frozenset({FULFILMENT, SUPERUSER})
SUPERUSER_ONLY = frozenset({SUPERUSER})
STOCK_READERS = frozenset({MARKETERS, FULFILMENT, SUPERUSER})


def viewset(namespace, **allowed):
    return {f"{namespace}:{view}": roles for view, roles in allowed.items()}


def chooser(namespace, see, create=NOBODY):
    return viewset(
        namespace, choose=see, choose_results=see, chosen=see, chosen_multiple=see,
        create=create,
    )


ALLOWED = {
    "wagtailadmin_home": ALL_STAFF,
    # The admin's search is the page search: only staff who may edit pages.
    "wagtailadmin_pages:search": MARKETING,
    "wagtailadmin_reports:site_history": ALL_STAFF,
    # Wagtail sends everyone from the bare snippets index to the admin home.
    "wagtailsnippets:index": NOBODY,
    **viewset(
        "wagtailsnippets_commerce_order",
        list=ORDERS, list_results=ORDERS, inspect=ORDERS, history=ORDERS,
        history_results=ORDERS, status=SHIPPING, refund=SHIPPING,
        add=NOBODY, edit=NOBODY, delete=NOBODY, usage=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_commerce_order", see=ORDERS),
    **viewset(
        "wagtailsnippets_commerce_customer",
        list=SUPPORT_DESK, list_results=SUPPORT_DESK, inspect=SUPPORT_DESK,
        history=SUPPORT_DESK, history_results=SUPPORT_DESK,
        edit=SUPERUSER_ONLY, usage=SUPERUSER_ONLY, add=NOBODY, delete=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_commerce_customer", see=SUPPORT_DESK),
    **viewset(
        "wagtailsnippets_commerce_review",
        list=SUPPORT_DESK, list_results=SUPPORT_DESK, inspect=SUPPORT_DESK,
        history=SUPPORT_DESK, history_results=SUPPORT_DESK, hide=SUPPORT_DESK,
        publish=SUPPORT_DESK, delete=SUPERUSER_ONLY, add=NOBODY, edit=NOBODY, usage=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_commerce_review", see=SUPPORT_DESK),
    **viewset(
        "support_inquiries",
        list=SUPPORT_DESK, list_results=SUPPORT_DESK, inspect=SUPPORT_DESK,
        history=SUPPORT_DESK, history_results=SUPPORT_DESK, edit=SUPPORT_DESK,
        delete=SUPPORT_DESK, usage=SUPPORT_DESK, assign=SUPPORT_DESK, status=SUPPORT_DESK,
        add=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_support_contact", see=SUPPORT_DESK),
    **viewset(
        "wagtailsnippets_taggit_tag",
        list=MARKETING, list_results=MARKETING, add=MARKETING, edit=MARKETING,
        delete=MARKETING, usage=MARKETING, history=MARKETING, history_results=MARKETING,
        copy=MARKETING,
    ),
    **chooser("wagtailsnippetchoosers_taggit_tag", see=MARKETING, create=MARKETING),
    # The stock ledger: read by marketers and fulfilment, written by nobody in the admin.
    **viewset(
        "wagtailsnippets_products_stockmovement",
        list=STOCK_READERS, list_results=STOCK_READERS, history=STOCK_READERS,
        history_results=STOCK_READERS, add=NOBODY, edit=NOBODY, delete=NOBODY, usage=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_products_stockmovement", see=STOCK_READERS),
    # Who waits for a product to be back: read by marketers, written by shoppers only.
    **viewset(
        "wagtailsnippets_products_backinstockrequest",
        list=MARKETING, list_results=MARKETING, history=MARKETING, history_results=MARKETING,
        add=NOBODY, edit=NOBODY, delete=NOBODY, usage=NOBODY,
    ),
    **chooser("wagtailsnippetchoosers_products_backinstockrequest", see=MARKETING),
    # Shipping methods: fulfilment's. Tax rates are a legal matter: administrators only.
    **viewset(
        "wagtailsnippets_commerce_shippingmethod",
        list=SHIPPING, list_results=SHIPPING, add=SHIPPING, edit=SHIPPING, delete=SHIPPING,
        usage=SHIPPING, history=SHIPPING, history_results=SHIPPING, copy=SHIPPING,
    ),
    **chooser("wagtailsnippetchoosers_commerce_shippingmethod", see=SHIPPING, create=SHIPPING),
    **viewset(
        "wagtailsnippets_commerce_voucher",
        list=MARKETING, list_results=MARKETING, add=MARKETING, edit=MARKETING,
        delete=MARKETING, usage=MARKETING, history=MARKETING, history_results=MARKETING,
        copy=MARKETING, preview_on_add=MARKETING, preview_on_edit=MARKETING,
    ),
    **chooser("wagtailsnippetchoosers_commerce_voucher", see=MARKETING, create=MARKETING),
    **viewset(
        "wagtailsnippets_commerce_taxrate",
        list=SUPERUSER_ONLY, list_results=SUPERUSER_ONLY, add=SUPERUSER_ONLY,
        edit=SUPERUSER_ONLY, delete=SUPERUSER_ONLY, usage=SUPERUSER_ONLY,
        history=SUPERUSER_ONLY, history_results=SUPERUSER_ONLY, copy=SUPERUSER_ONLY,
    ),
    **chooser(
        "wagtailsnippetchoosers_commerce_taxrate", see=SUPERUSER_ONLY, create=SUPERUSER_ONLY
    ),
    "wagtailsettings:edit[commerce.shippingsettings]": SHIPPING,
    "wagtail_bulk_action[commerce.shippingmethod]": SHIPPING,
    "wagtail_bulk_action[commerce.taxrate]": SUPERUSER_ONLY,
    "wagtail_bulk_action[commerce.voucher]": MARKETING,
    "fulfilment_modeladmin_index": SHIPPING,
    "fulfilment_modeladmin_ship": SHIPPING,
    "fulfilment_modeladmin_create": NOBODY,
    "fulfilment_modeladmin_edit": NOBODY,
    "fulfilment_modeladmin_delete": NOBODY,
    "invoices_admin:download": ORDERS,
    "wagtailsettings:edit[commerce.bulkdiscountsettings]": MARKETING,
    "wagtailsettings:edit[commerce.checkoutsettings]": MARKETING,
    "wagtailsettings:preview_on_edit[commerce.checkoutsettings]": MARKETING,
    "wagtailsettings:edit[support.supportsettings]": SUPPORT_DESK,
    # The seller's legal identity, printed on invoices: the shop's owner (a superuser) only.
    "wagtailsettings:edit[home.selleridentity]": SUPERUSER_ONLY,
    "wagtailsettings:preview_on_edit[commerce.bulkdiscountsettings]": MARKETING,
    "wagtail_bulk_action[commerce.order]": ORDERS,
    "wagtail_bulk_action[commerce.customer]": SUPPORT_DESK,
    "wagtail_bulk_action[commerce.review]": SUPPORT_DESK,
    "wagtail_bulk_action[support.contact]": SUPPORT_DESK,
    "wagtail_bulk_action[products.stockmovement]": STOCK_READERS,
    "wagtail_bulk_action[products.backinstockrequest]": MARKETING,
    # Abandoned carts, reminded and recovered: marketers and the sales report's readers.
    "cart_recovery_report": MARKETING,
    # Promotions' orders and money off, with its CSV: the same readers.
    "promotions_report": MARKETING,
}

# Wagtail's areas without shop records: URL names, or namespaces ending in ":".
WAGTAIL_OWN = (
    "wagtailadmin_pages:", "wagtailadmin_workflows:", "wagtailimages:", "wagtailimages_chooser:",
    "wagtaildocs:", "wagtaildocs_chooser:", "wagtailadmin_api:", "wagtailadmin_reports:",
    "wagtailusers_users:", "wagtailusers_groups:", "wagtailsites:", "wagtailredirects:",
    "wagtailforms:", "wagtailadmin_collections:", "wagtailembeds:",
    "wagtailadmin_editing_sessions:", "wagtailadmin_explore_root", "wagtailadmin_explore",
    "wagtailadmin_explore_results", "wagtailadmin_choose_page", "wagtailadmin_choose_page_child",
    "wagtailadmin_choose_page_search", "wagtailadmin_choose_page_chosen_multiple",
    "wagtailadmin_choose_page_external_link", "wagtailadmin_choose_page_email_link",
    "wagtailadmin_choose_page_phone_link", "wagtailadmin_choose_page_anchor_link",
    "wagtailadmin_tag_autocomplete", "wagtailadmin_tag_model_autocomplete",
    "wagtailadmin_account", "wagtailadmin_dismissibles", "wagtailadmin_block_preview",
    "wagtailadmin_error_test",
)
PUBLIC = {
    "wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_password_reset",
    "wagtailadmin_password_reset_done", "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete", "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite", "wagtail_modeladmin:javascript_catalog",
    # Wagtail's catch-all that answers "not found" inside the admin layout.
    "admin/test404/", "admin/^.*/$",
}
# An allowed GET that answers without a page, because the view needs a POST first.
ALLOWED_GET_ANSWER = {"wagtailsettings:preview_on_edit": 404}


def is_wagtail_own(name):
    return name in WAGTAIL_OWN or any(
        name.startswith(own) for own in WAGTAIL_OWN if own.endswith(":")
    )


def expectation_key(label):
    return label.partition("?")[0]


def shop_cases(records):
    """(URL name, label, url) of every shop view, failing on a URL nobody has decided about."""
    undecided = []
    cases = []
    for name, route, arguments in admin_url_patterns():
        if name in PUBLIC or (is_wagtail_own(name) and name not in ALLOWED):
            continue
        try:
            named_cases = cases_for(name, arguments, records)
        except LookupError as error:
            undecided.append(f"{name} ({route}: {error})")
            continue
        for label, url in named_cases:
            if expectation_key(label) in ALLOWED:
                cases.append((name, label, url))
            else:
                undecided.append(f"{expectation_key(label)} ({route})")
    assert not undecided, (
        "Admin URLs with no expectation in ALLOWED (say who may open them): "
        + ", ".join(sorted(set(undecided)))
    )
    return cases


def outcome(name, response):
    """"login", "refused" or "allowed", from how the admin answered."""
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("wagtailadmin_login")):
        return "login"
    if response.status_code == 403 or (
        response.status_code == 302 and location == reverse("wagtailadmin_home")
    ):
        return "refused"
    if response.status_code in (200, 302, 405, ALLOWED_GET_ANSWER.get(name)):
        return "allowed"
    return f"answered {response.status_code}"


def body(response):
    return b"".join(response) if response.streaming else response.content


@pytest.mark.parametrize("role", [MARKETERS, SUPPORT, FULFILMENT, SUPERUSER])
def test_each_staff_role_opens_exactly_the_shop_views_it_is_allowed(client, records, role):
    log_in_as(client, role, records)
    wrong = []
    for name, label, url in shop_cases(records):
        response = client.get(url)
        expected = "allowed" if role in ALLOWED[expectation_key(label)] else "refused"
        got = outcome(name, response)
        if got != expected:
            wrong.append(f"{label}: expected {expected}, got {got}")
        elif got == "refused" and CUSTOMER_EMAIL.encode() in body(response):
            wrong.append(f"{label}: refused, but the answer shows the customer's email")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", [ANONYMOUS, SHOPPER])
def test_visitors_who_are_not_staff_are_sent_to_log_in_from_every_admin_url(
    client, records, role
):
    log_in_as(client, role, records)
    wrong = []
    for name, _route, arguments in admin_url_patterns():
        if name in PUBLIC:
            continue
        if is_wagtail_own(name) and name not in ALLOWED:
            urls = [placeholder_url(name, arguments)]
        else:
            urls = [url for _, url in cases_for(name, arguments, records)]
        for url in urls:
            response = client.get(url)
            if outcome(name, response) != "login":
                wrong.append(f"{name} ({url}): answered {response.status_code}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def placeholder_url(name, arguments):
    # Visitors are turned away before the view looks anything up, so any value will do.
    return reverse(name, kwargs=dict.fromkeys(arguments, "1"))


def test_a_marketer_never_sees_a_customer_email_anywhere_in_the_admin(client, records):
    log_in_as(client, MARKETERS, records)
    leaks = [
        label for _, label, url in shop_cases(records)
        if CUSTOMER_EMAIL.encode() in body(client.get(url))
    ]
    assert not leaks


def test_every_snippet_viewset_asks_for_the_model_permissions():
    loose = [
        model._meta.label for model in get_snippet_models()
        if not isinstance(model.snippet_viewset, ShopSnippetViewSet)
    ]
    assert not loose, f"Snippet viewsets not built on ShopSnippetViewSet: {loose}"


def test_a_url_with_no_expectation_fails_the_matrix(records, monkeypatch):
    monkeypatch.delitem(ALLOWED, "wagtailsnippetchoosers_commerce_customer:chosen")

    with pytest.raises(AssertionError, match="wagtailsnippetchoosers_commerce_customer:chosen"):
        shop_cases(records)
