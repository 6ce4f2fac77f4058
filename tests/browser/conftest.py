"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work on our machines, so we launch the system
Chromium. Every journey is skipped, with the reason, where Chromium is missing. Playwright itself
is a test requirement (requirements-dev.txt), like pytest.

One journey per module: its screenshots are named after the module (test_shopper.py saves
shopper-01-home.png, ...). Each key page is a `checkpoint`: no failed request and no
Content-Security-Policy violation so far, the accessibility smoke check, a screenshot.
"""

import os
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright
from wagtail.permissions import policy_registry

from config.env import BASE_DIR
from home.shared.roles import create_staff_roles

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Gitignored; SHOP_SCREENSHOT_DIR keeps them elsewhere (a CI job's artifacts).
SCREENSHOTS = Path(os.environ.get("SHOP_SCREENSHOT_DIR") or BASE_DIR / "artifacts" / "screenshots")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)."
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in the test thread; the ORM calls made by
    # the tests themselves (fixtures, assertions) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Journey:
    """A browser tab plus the habits of a careful tester: screenshots and a11y checks."""

    def __init__(self, page, base_url, name):
        self.page = page
        self.base_url = base_url
        self.name = name
        self.step = 0
        self.broken_responses = []
        self.policy_violations = []
        page.on("response", self._note_if_broken)
        page.on("console", self._note_if_refused)
        page.add_init_script(REPORT_POLICY_VIOLATIONS)

    def _note_if_broken(self, response):
        # A server error anywhere, or a stylesheet, script or image that did not load.
        missing_asset = response.status >= 400 and response.request.resource_type in {
            "stylesheet", "script", "image", "font"
        }
        if response.status >= 500 or missing_asset:
            self.broken_responses.append(f"{response.status} {response.url}")

    def _note_if_refused(self, message):
        # Chromium's own "Refused to ..." message, and the event REPORT_POLICY_VIOLATIONS logs.
        if "Content Security Policy" in message.text or message.text.startswith(POLICY_VIOLATION):
            self.policy_violations.append(f"{self.page.url}: {message.text}")

    def url(self, path):
        return self.base_url.rstrip("/") + path

    def goto(self, path):
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, f"GET {path} answered {response.status}"
        return response

    def screenshot(self, label):
        self.step += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.name}-{self.step:02d}-{_slug(label)}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_accessible(self):
        """Smoke check: images have alt text, fields have labels, exactly one h1."""
        problems = self.page.evaluate(A11Y_SMOKE_CHECK, ", ".join(UPSTREAM_UNLABELLED_FIELDS))
        assert problems == [], f"Accessibility problems on {self.page.url}: {problems}"

    def checkpoint(self, label):
        """A key page of the journey: check that nothing failed to load or was refused by the
        Content-Security-Policy so far and that the page is accessible, then keep a
        screenshot."""
        assert self.broken_responses == [], f"Failed requests: {self.broken_responses}"
        assert self.policy_violations == [], f"Refused by the policy: {self.policy_violations}"
        self.assert_accessible()
        return self.screenshot(label)

    def wait_for_path(self, path):
        """Wait until the browser is on `path`, a regular expression for the whole path (so
        r"/checkout/thank-you/\\w+/"), whatever the query string and fragment."""
        pattern = re.compile(f"^{re.escape(self.base_url.rstrip('/'))}{path}([?#].*)?$")
        self.page.wait_for_url(pattern)

    def log_in(self, username, password):
        """Log in through the shop's log-in page; leaves the browser on the home page."""
        self.goto("/accounts/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Log in").click()
        self.wait_for_path("/")

    def log_in_to_admin(self, username, password):
        """Log in through the Wagtail admin's own log-in page; leaves the browser on the
        dashboard."""
        self.goto("/admin/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.wait_for_path("/admin/")


POLICY_VIOLATION = "Content-Security-Policy violation:"
REPORT_POLICY_VIOLATIONS = f"""
document.addEventListener('securitypolicyviolation', (event) => {{
  console.error(`{POLICY_VIOLATION} ${{event.effectiveDirective}} refused ${{event.blockedURI}}`);
}});
"""

# Fields of the Wagtail admin's own widgets that have no label, known upstream; our pages and
# our admin customisations must not add to them.
UPSTREAM_UNLABELLED_FIELDS = [
    # tag-it's typing box in the tags widget (wagtail/wagtail#2952 replaces tag-it)
    ".ui-autocomplete-input",
    # a StreamField block holding a single field, titled only by its panel heading
    # (wagtail/wagtail#11179); fields of StructBlocks have labels
    "[data-streamfield-child] :is(input, select, textarea)[id$='-value']",
]

A11Y_SMOKE_CHECK = """
(upstreamUnlabelled) => {
  const problems = [];
  const h1s = document.querySelectorAll('h1').length;
  if (h1s !== 1) problems.push(`${h1s} h1 elements`);
  for (const img of document.querySelectorAll('img')) {
    if (!img.hasAttribute('alt')) problems.push(`img without alt: ${img.src}`);
  }
  const skip = ['hidden', 'submit', 'button', 'reset', 'image'];
  for (const field of document.querySelectorAll('input, select, textarea')) {
    // Fields nobody can see or reach (display: none, hidden) need no label.
    if (skip.includes(field.type) || !field.checkVisibility({visibilityProperty: true})) continue;
    if (field.matches(upstreamUnlabelled)) continue;
    const labelled = (field.id && document.querySelector(`label[for="${field.id}"]`))
      || field.closest('label') || field.getAttribute('aria-label')
      || field.getAttribute('aria-labelledby');
    if (!labelled) problems.push(`unlabelled field: ${field.name || field.outerHTML}`);
  }
  return problems;
}
"""


@pytest.fixture
def demo_shop(transactional_db, fresh_cache):
    """The demo shop, seeded afresh for each journey, with the staff role groups and an empty
    cache (no throttle or rate limit carried over from another test).

    The flush after each transactional test also empties what data migrations created, so
    the role groups are made again here, as the staff_roles migration makes them."""
    forget_cached_content_types()
    call_command("seed_demo", stdout=StringIO())
    create_staff_roles()


def forget_cached_content_types():
    """Wagtail's permission policies keep their model's ContentType once looked up. The flush
    after a transactional test recreates content types under new ids, so a policy used by an
    earlier test would look for permissions that no longer exist (in a running shop content
    types never change)."""
    registry = policy_registry
    for policy in [
        *registry.values_by_class.values(),
        *registry.values_by_exact_class.values(),
        *registry.fallback_policies.values(),
    ]:
        vars(policy).pop("_content_type", None)


def _journey(request, browser, live_server, viewport, name=None):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    name = name or request.node.module.__name__.rpartition(".")[2].removeprefix("test_")
    journey = Journey(page, live_server.url, name)
    for stale in SCREENSHOTS.glob(f"{name}-[0-9][0-9]-*.png"):
        stale.unlink()
    yield journey
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        journey.screenshot("failure")
    context.close()


@pytest.fixture
def journey(request, browser, live_server, demo_shop):
    yield from _journey(request, browser, live_server, {"width": 1280, "height": 900})


@pytest.fixture
def mobile_journey(request, browser, live_server, demo_shop):
    yield from _journey(request, browser, live_server, {"width": 390, "height": 844})
