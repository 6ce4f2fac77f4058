"""Journey 4: a visitor writes to the shop; a support agent picks the inquiry up and resolves it."""

import pytest
from playwright.sync_api import expect

from home.shared.roles import SUPPORT
from tests.factories import make_staff_in_role

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "My new laptop's charger whistles when the battery is nearly full. Is that normal?"


def test_visitor_inquiry_is_assigned_and_resolved_by_support(journey):
    page = journey.page
    agent = make_staff_in_role(SUPPORT, "joan")
    agent.first_name, agent.last_name = "Joan", "Clarke"
    agent.save()

    journey.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Contact us").click()
    journey.wait_for_path("/contact/")
    journey.checkpoint("contact page")
    page.get_by_label("Your name").fill("Mary Jackson")
    page.get_by_label("Your email address").fill("mary@example.com")
    page.get_by_label("How can we help?").fill(MESSAGE)
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Message sent")
    reference = page.locator("strong").filter(has_text="#").inner_text()
    journey.checkpoint("message sent")

    page.context.clear_cookies()
    journey.log_in_to_admin("joan", "staff-test-pass")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inquiries").click()
    journey.wait_for_path("/admin/support/inquiries/")
    inquiry_link = page.get_by_role("link", name="My new laptop's charger whistles")
    expect(page.get_by_role("row").filter(has=inquiry_link)).to_contain_text("Mary Jackson")
    journey.checkpoint("inquiries")

    inquiry_link.click()
    journey.wait_for_path(r"/admin/support/inquiries/edit/\d+/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Editing: {reference} My new laptop's charger"
    )
    expect(page.get_by_role("heading", name="New, not assigned")).to_be_visible()
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("status")).to_contain_text("is assigned to you")
    expect(page.get_by_role("heading", name="In progress, assigned to Joan Clarke")).to_be_visible()
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("heading", name="Resolved, assigned to Joan Clarke")).to_be_visible()
    journey.checkpoint("inquiry resolved")
