"""The Content-Security-Policy: the shop's pages load and run only what comes from the shop."""

import re

import pytest
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory

from config.content_security_policy import ContentSecurityPolicyMiddleware, policy_header
from tests.factories import make_contact_page, make_image, make_product

pytestmark = pytest.mark.django_db

# Markup that a policy without 'unsafe-inline' refuses: inline styles, event handler
# attributes, and script elements that would run (a JSON-LD <script> is data, never run).
INLINE_CODE = re.compile(
    r"<style\b|\sstyle\s*=|\son[a-z]+\s*=|<script\b(?![^>]*type=\"application/ld\+json\")"
    r"(?![^>]*\bsrc=)",
    re.IGNORECASE,
)


def directives(response, header="Content-Security-Policy"):
    return {
        name: sources
        for name, *sources in (part.split() for part in response[header].split(";"))
    }


@pytest.fixture
def shop(product_index):
    product = make_product(product_index, "Aero 14", image=make_image("Aero 14"))
    contact = make_contact_page(product_index.get_parent())
    return {"product": product, "contact": contact}


def storefront_paths(shop):
    return [
        "/", "/shop/", shop["product"].url, "/search/?query=aero", "/cart/",
        "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/",
        shop["contact"].url, "/no-such-page/",
    ]


def test_storefront_pages_allow_only_the_shops_own_origin(client, shop):
    for path in storefront_paths(shop):
        policy = directives(client.get(path))
        assert policy["default-src"] == ["'self'"], path
        assert policy["img-src"] == ["'self'", "data:"], path
        assert policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert policy["form-action"] == ["'self'"], path
        assert policy["base-uri"] == ["'self'"], path
        assert "'unsafe-inline'" not in str(policy), path


def test_storefront_pages_have_no_inline_script_or_style_the_policy_would_block(client, shop):
    for path in storefront_paths(shop):
        html = client.get(path).content.decode()
        assert INLINE_CODE.findall(html) == [], path
    # The product page's structured data is a JSON-LD block, which the policy lets through.
    assert 'type="application/ld+json"' in client.get(shop["product"].url).content.decode()


@pytest.mark.parametrize("template", ["400.html", "500.html"])
def test_the_error_pages_have_no_inline_style(template):
    assert INLINE_CODE.findall(render_to_string(template)) == []


def test_the_admin_gets_a_policy_its_inline_scripts_work_with(client, home_page):
    for path in ["/admin/login/", "/django-admin/login/"]:
        policy = directives(client.get(path))
        assert policy["script-src"] == ["'self'", "'unsafe-inline'"], path
        assert policy["frame-ancestors"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"], path


def test_a_response_with_a_policy_of_its_own_keeps_it():
    # As Wagtail's image and document views answer.
    def strict_view(request):
        response = HttpResponse("file")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = ContentSecurityPolicyMiddleware(strict_view)(RequestFactory().get("/documents/1/"))

    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_the_policy_can_be_extended_from_the_settings(client, home_page, settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "script-src": ["'self'", "https://js.pay.example"],
    }
    assert directives(client.get("/"))["script-src"] == ["'self'", "https://js.pay.example"]


def test_report_only_reports_without_enforcing(client, home_page, settings):
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = True
    response = client.get("/")
    assert "Content-Security-Policy" not in response
    assert directives(response, "Content-Security-Policy-Report-Only")["default-src"] == [
        "'self'"
    ]


def test_a_policy_may_also_be_written_as_the_whole_header():
    assert policy_header("default-src 'self'") == "default-src 'self'"
    assert policy_header({"default-src": ["'self'"], "upgrade-insecure-requests": []}) == (
        "default-src 'self'; upgrade-insecure-requests"
    )
