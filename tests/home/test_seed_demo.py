from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision, Site

from commerce.customers.addresses import Address
from commerce.customers.models import Customer
from home.demo_content import DEMO_STAFF, DEMO_STAFF_PASSWORD, GALLERY_VIEWS, PRODUCTS
from home.models import HomePage
from home.shared.roles import FULFILMENT, MARKETERS, SUPPORT
from products.models import ProductPage

pytestmark = pytest.mark.django_db


def _counts():
    return {
        "pages": Page.objects.count(),
        "products": ProductPage.objects.live().count(),
        "images": get_image_model().objects.count(),
        "revisions": Revision.objects.count(),
        "users": get_user_model().objects.count(),
        "customers": Customer.objects.count(),
        "addresses": Address.objects.count(),
    }


def test_seed_demo_builds_a_browsable_shop():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert len(PRODUCTS) >= 24
    assert ProductPage.objects.live().count() == len(PRODUCTS)
    assert len(set(ProductPage.objects.values_list("brand", flat=True))) >= 5
    assert ProductPage.objects.filter(image__isnull=True).count() == 0
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.specific.featured_products.count() >= 4
    assert Customer.objects.count() >= 3
    ada = Customer.objects.get(user__username="ada")
    assert [(a.city, a.is_default) for a in ada.addresses.all()] == [
        ("Springfield", True), ("Portland", False)
    ]
    assert f"[{len(PRODUCTS)}/{len(PRODUCTS)}]" in out.getvalue()


def test_running_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == first
    assert "0 product(s) added" in out.getvalue()


def test_seeded_home_page_serves_with_featured_products(client):
    call_command("seed_demo", stdout=StringIO())
    response = client.get("/")
    assert response.status_code == 200
    assert b"MacBook Air 13 M3" in response.content
    assert response.content.count(b'class="product-card"') >= 4


def test_seeded_home_page_shows_the_current_offers_from_the_live_rule(client):
    call_command("seed_demo", stdout=StringIO())
    html = client.get("/").content.decode()
    assert "Current offers</h2>" in html
    assert "Buy 4 or more of one item: 20% off your order" in html


def test_seed_demo_in_development_adds_one_demo_user_per_staff_role(settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())

    User = get_user_model()
    for username, role in [
        ("marketer", MARKETERS), ("support", SUPPORT), ("fulfilment", FULFILMENT)
    ]:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser
        client.post(
            "/admin/login/", {"username": username, "password": DEMO_STAFF_PASSWORD}
        )
        assert client.get("/admin/").status_code == 200
        client.logout()


def test_seed_demo_in_development_twice_adds_demo_staff_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    first = _counts()
    out = StringIO()
    call_command("seed_demo", stdout=out)

    assert _counts() == first
    assert "0 demo staff added" in out.getvalue()


def test_seed_demo_outside_development_adds_no_staff_with_known_passwords(settings):
    settings.DEBUG = False
    call_command("seed_demo", stdout=StringIO())

    usernames = [username for username, _name, _role in DEMO_STAFF]
    assert not get_user_model().objects.filter(username__in=usernames).exists()


def test_dev_superuser_prints_the_demo_staff_logins_beside_the_admins(settings):
    settings.DEBUG = True
    settings.SHOP_BASE_URL = "http://127.0.0.1:8123"
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("create_dev_superuser", stdout=out)

    printed = out.getvalue()
    assert "http://127.0.0.1:8123/admin/  username: admin  password: admin-dev-only" in printed
    for username in ("marketer", "support", "fulfilment"):
        assert f"username: {username}  password: {DEMO_STAFF_PASSWORD}" in printed


def test_seeded_products_with_a_gallery_show_each_photo_with_a_thumbnail(client):
    call_command("seed_demo", stdout=StringIO())

    for slug, views in GALLERY_VIEWS.items():
        product = ProductPage.objects.get(slug=slug)
        assert 2 <= len(views) <= 3
        assert [item.alt_text for item in product.gallery_images.all()] == [
            f"{product.title} {view}" for view in views
        ]
        html = client.get(product.url).content.decode()
        assert html.count('class="gallery__thumbnail"') == 1 + len(views)
        # The editor sees the gallery too: it is in the published revision.
        assert len(product.get_latest_revision_as_object().gallery_images.all()) == len(views)


def test_seed_demo_points_the_site_at_the_address_the_shop_runs_on(settings):
    settings.SHOP_BASE_URL = "http://127.0.0.1:8123"
    call_command("seed_demo", stdout=StringIO())
    settings.SHOP_BASE_URL = "http://127.0.0.1:9000"
    call_command("seed_demo", stdout=StringIO())

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 9000)
    assert site.root_url == "http://127.0.0.1:9000"
    assert Site.objects.count() == 1


def test_the_demo_shop_has_a_seller_in_its_footer(client):
    call_command("seed_demo", stdout=StringIO())

    page = client.get("/").content.decode()

    assert "Storefront Laptops LLC." in page
    assert "mailto:help@example.com" in page
