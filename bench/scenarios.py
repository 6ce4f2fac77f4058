"""What the benchmark asks for: the pages, the visitors, and SQL queries per request."""

import string
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.crypto import get_random_string

from bench.load import FORM_CONTENT_TYPE, Scenario
from commerce.orders.models import Order
from products.models import ProductIndexPage, ProductPage
from products.variants import ProductVariant

STATIC_PAGE_NAME = "bench-product-page.html"
SEARCH_TERM = "thinkpad"
BENCH_USERS = 20
BENCH_PASSWORD = "bench-only-password"
BENCH_HOST = "127.0.0.1"


class ShopUnderTest:
    """The URLs and visitors of one benchmark run, read from the seeded database."""

    def __init__(self):
        self.index = ProductIndexPage.objects.live().order_by("path").first()
        products = ProductPage.objects.child_of(self.index).live().filter(stock__gt=20)
        self.product = products.exclude(image=None).order_by("path").first()
        # What shoppers put in carts are configurations: a product's variant in stock.
        self.cart_variants = list(
            ProductVariant.objects.filter(product__in=products, active=True, stock__gt=20)
            .order_by("product__path", "sort_order")[:20]
        )
        self.users = bench_users()
        self.csrf_secret = get_random_string(32, string.ascii_letters + string.digits)
        self.sessions = [session_cookie(user) for user in self.users]

    @property
    def pages(self):
        """GET pages: (label, path)."""
        listing = self.index.url
        return [
            ("home", "/"),
            ("listing, page 1", listing),
            ("listing, filtered", f"{listing}?{urlencode(self.filters)}"),
            ("product", self.product.url),
            ("search", f"/search/?{urlencode({'query': SEARCH_TERM})}"),
        ]

    @property
    def filters(self):
        return {"brand": self.product.brand, "ram": self.product.ram_gb}

    def cookies(self, logged_in):
        csrf = f"{settings.CSRF_COOKIE_NAME}={self.csrf_secret}"
        if not logged_in:
            return [csrf]
        return [f"{settings.SESSION_COOKIE_NAME}={key}; {csrf}" for key in self.sessions]

    def scenarios(self, visitor):
        """Every page for one kind of visitor."""
        logged_in = visitor == "logged in"
        # Anonymous page views come from first-time visitors, who send no cookie at all.
        page_cookies = self.cookies(logged_in=True) if logged_in else []
        scenarios = [
            Scenario(page, visitor, [path], cookies=page_cookies) for page, path in self.pages
        ]
        if visitor != "anonymous, no page cache":
            paths, bodies = self.add_to_cart_requests()
            scenarios.append(Scenario(
                "add to cart", visitor, paths, method="POST", bodies=bodies,
                cookies=self.cookies(logged_in), csrf_token=self.csrf_secret,
            ))
        return scenarios

    def add_to_cart_requests(self):
        """POSTs adding one unit of a variant, taking the in-stock variants in turn."""
        url = reverse("commerce:cart_add")
        bodies = [
            urlencode({"product": v.product_id, "variant": v.pk, "quantity": 1})
            for v in self.cart_variants
        ]
        return [url] * len(bodies), bodies

    def static_scenario(self):
        return Scenario("product page as a static file", "static file", [f"/{STATIC_PAGE_NAME}"])


def bench_users():
    User = get_user_model()
    users = []
    for number in range(1, BENCH_USERS + 1):
        user, created = User.objects.get_or_create(
            username=f"bench-shopper-{number:02}",
            defaults={"email": f"bench-shopper-{number:02}@example.com"},
        )
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save()
        users.append(user)
    # Each run starts with empty carts, so no line reaches the 99-unit limit.
    Order.objects.carts().filter(customer__user__in=users).delete()
    return users


def session_cookie(user):
    client = Client(HTTP_HOST=BENCH_HOST)
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def queries_per_request(scenario, user=None):
    """SQL queries one request of the scenario runs, measured in-process with the test client.

    Each request is sent once first, so a cached page is counted as the cache hit it is under
    load (and renditions already exist, as they do on a live shop), and an add to cart goes
    into a cart that exists, as every add but a visitor's first does.
    """
    page_cache = scenario.visitor != "anonymous, no page cache"
    with override_settings(PAGE_CACHE_ENABLED=page_cache):
        client = Client(HTTP_HOST=BENCH_HOST)
        if user is not None:
            client.force_login(user)
        path = scenario.paths[0]
        if scenario.method == "POST":
            def send():
                return client.post(path, scenario.bodies[0], content_type=FORM_CONTENT_TYPE)
        else:
            def send():
                return client.get(path)
        send()
        with CaptureQueriesContext(connection) as queries:
            send()
    return len(queries.captured_queries)


def save_static_copy(site, folder):
    """The product page's HTML as an anonymous visitor gets it, saved for whitenoise."""
    with override_settings(PAGE_CACHE_ENABLED=False):
        response = Client(HTTP_HOST=BENCH_HOST).get(site.product.url)
    assert response.status_code == 200, f"product page answered {response.status_code}"
    (folder / STATIC_PAGE_NAME).write_bytes(response.content)
