import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_shopper_reaches_a_product_from_the_home_page(journey):
    page = journey.page
    journey.goto("/")
    journey.assert_accessible()
    journey.screenshot("home")

    page.get_by_role("link", name="Shop", exact=True).first.click()
    page.wait_for_url("**/shop/")
    journey.assert_accessible()

    page.get_by_role("link", name="Dell XPS 13").first.click()
    page.wait_for_url("**/shop/dell-xps-13/")
    assert page.locator("h1").inner_text() == "Dell XPS 13"
    assert page.get_by_role("row", name="Processor Intel Core Ultra 7 155H").is_visible()
    journey.assert_accessible()
    journey.screenshot("product")


def test_product_page_fits_a_phone_screen(mobile_journey):
    mobile_journey.goto("/shop/dell-xps-13/")
    page = mobile_journey.page
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390, f"page is {scroll_width}px wide on a 390px screen"
    mobile_journey.screenshot("product-mobile")
