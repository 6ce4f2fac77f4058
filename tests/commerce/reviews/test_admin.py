"""Reviews in the Wagtail admin: the listing, its filters and search, and moderation."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import ModelLogEntry

from commerce.reviews.models import Review, ReviewStatus
from commerce.reviews.rules import hide_review, rating_summary
from tests.factories import make_customer, make_product, make_review, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

ADMIN = "wagtailsnippets_commerce_review"


def admin_url(name, *args):
    return reverse(f"{ADMIN}:{name}", args=args)


@pytest.fixture
def moderator():
    return make_staff_user("moderator")


@pytest.fixture
def admin_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def review(laptop):
    return make_review(
        make_customer("grace", "Grace Hopper"), laptop, rating=2, content="Fan noise at idle"
    )


def staff_with(*codenames, username="support"):
    """A non-superuser staff member with admin access and the given review permissions."""
    user = make_staff_user(username, superuser=False)
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        *Permission.objects.filter(content_type__app_label="commerce", codename__in=codenames),
    )
    user.groups.add(group)
    return user


def test_review_list_shows_product_customer_rating_status_and_date(admin_client, review):
    response = admin_client.get(admin_url("list"))

    html = response.content.decode()
    assert response.status_code == 200
    start = html.index('<table class="listing')
    table_head = html[start : html.index("</thead>", start)]
    headings = re.findall(r"<th[^>]*>\s*(?:<a[^>]*>)?\s*(\w[^<]*?)\s*<", table_head)
    assert headings == ["Product", "Customer", "Rating", "Review", "Status", "Submitted"]
    assert "Aero 14" in html
    assert "Grace Hopper" in html
    assert "2 out of 5" in html
    assert "Fan noise at idle" in html
    assert "Published" in html
    assert admin_url("inspect", review.pk) in html
    assert admin_url("hide", review.pk) in html


@pytest.mark.parametrize(
    ("query", "shown", "not_shown"),
    [
        ({"status": "hidden"}, "Spam about watches", "Fan noise at idle"),
        ({"rating": "2"}, "Fan noise at idle", "Spam about watches"),
        ({"q": "watches"}, "Spam about watches", "Fan noise at idle"),
    ],
)
def test_review_list_filters_by_status_and_rating_and_searches_the_text(
    admin_client, review, laptop, moderator, query, shown, not_shown
):
    spam = make_review(make_customer("spammer"), laptop, rating=1, content="Spam about watches")
    hide_review(spam, moderator, "Spam")

    html = admin_client.get(admin_url("list"), query).content.decode()

    assert shown in html
    assert not_shown not in html


def test_review_list_filters_by_product(admin_client, review, product_index):
    other = make_product(product_index, "Zen 13")
    make_review(make_customer("alan"), other, content="Keyboard is superb")

    html = admin_client.get(admin_url("list"), {"product": other.pk}).content.decode()

    assert "Keyboard is superb" in html
    assert "Fan noise at idle" not in html


def test_review_list_queries_do_not_grow_with_the_number_of_reviews(
    admin_client, laptop, django_assert_max_num_queries
):
    for number in range(3):
        make_review(make_customer(f"early{number}"), laptop)
    with CaptureQueriesContext(connection) as queries_with_3_reviews:
        admin_client.get(admin_url("list"))

    for number in range(27):
        make_review(make_customer(f"late{number}"), laptop)
    with django_assert_max_num_queries(len(queries_with_3_reviews)):
        html = admin_client.get(admin_url("list")).content.decode()

    assert html.count(admin_url("list").rstrip("/") + "/hide/") == 30


def test_review_html_is_shown_as_text_in_the_admin(admin_client, laptop):
    review = make_review(make_customer("mallory"), laptop, content="<script>alert(1)</script>")

    for url in [admin_url("list"), admin_url("inspect", review.pk), admin_url("hide", review.pk)]:
        html = admin_client.get(url).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
        assert "<script>alert(1)</script>" not in html, url


def test_hiding_asks_for_a_reason_then_takes_the_review_off_the_site_at_once(
    admin_client, client, review, laptop, moderator
):
    make_review(make_customer("alan"), laptop, rating=4, content="Solid build")
    confirm = admin_client.get(admin_url("hide", review.pk))
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.content.decode()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED

    response = admin_client.post(
        admin_url("hide", review.pk) + "?next=" + admin_url("list"),
        {"reason": "Mentions a competitor"},
    )

    assert response.status_code == 302
    assert response["Location"] == admin_url("list")
    review.refresh_from_db()
    assert review.status == ReviewStatus.HIDDEN
    assert review.hidden_by == moderator
    assert review.hidden_reason == "Mentions a competitor"
    assert rating_summary(laptop).count == 1
    page = Client().get(laptop.url).content.decode()
    assert "Fan noise at idle" not in page
    assert "<strong>4.0</strong> out of 5" in page


def test_hiding_is_logged_in_the_reviews_history(admin_client, review, moderator):
    admin_client.post(admin_url("hide", review.pk), {"reason": "Personal data"})

    entry = ModelLogEntry.objects.for_instance(review).get()
    assert (entry.action, entry.user) == ("commerce.review.hide", moderator)
    history = admin_client.get(admin_url("history", review.pk)).content.decode()
    assert "Hidden: Personal data" in history


def test_hiding_without_a_reason_is_refused_with_a_field_error(admin_client, review):
    response = admin_client.post(admin_url("hide", review.pk), {"reason": "  "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED


def test_hiding_without_a_csrf_token_is_refused(moderator, review):
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)

    response = client.post(admin_url("hide", review.pk), {"reason": "Forged"})

    assert response.status_code == 403
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED


def test_publishing_a_hidden_review_puts_it_back_on_the_site(
    admin_client, review, laptop, moderator
):
    hide_review(review, moderator, "Checking")
    listing = admin_client.get(admin_url("list")).content.decode()
    assert admin_url("publish", review.pk) in listing

    response = admin_client.post(admin_url("publish", review.pk))

    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED
    assert "Fan noise at idle" in Client().get(laptop.url).content.decode()


def test_nobody_can_write_or_edit_a_customers_review_in_the_admin(admin_client, review):
    listing = admin_client.get(admin_url("list")).content.decode()

    assert admin_url("add") not in listing
    assert admin_url("edit", review.pk) not in listing
    assert admin_client.get(admin_url("add")).status_code == 302  # permission denied
    assert admin_client.get(admin_url("edit", review.pk)).status_code == 302


def test_staff_who_may_only_view_reviews_cannot_hide_them(client, review):
    client.force_login(staff_with("view_review"))

    listing = client.get(admin_url("list"))
    response = client.post(admin_url("hide", review.pk), {"reason": "Not my call"})

    assert listing.status_code == 200
    assert "Fan noise at idle" in listing.content.decode()
    assert admin_url("hide", review.pk) not in listing.content.decode()
    assert response.status_code == 302  # permission denied: back to the dashboard
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.PUBLISHED


def test_staff_with_the_moderate_permission_can_hide_reviews(client, review):
    support = staff_with("view_review", "moderate_review")
    client.force_login(support)

    client.post(admin_url("hide", review.pk), {"reason": "Offensive"})

    review.refresh_from_db()
    assert (review.status, review.hidden_by) == (ReviewStatus.HIDDEN, support)


def test_group_editor_offers_no_add_or_change_permission_for_reviews(admin_client):
    group = Group.objects.create(name="Review moderators")
    html = admin_client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content.decode()
    review_permissions = Permission.objects.filter(content_type__model="review")
    shown = {p.codename for p in review_permissions if f'value="{p.pk}"' in html}
    assert shown == {"view_review", "delete_review", "moderate_review"}
