"""A short concurrent cart load on the embedded SQLite default, served as `make run` serves it.

    python -m bench.sqlite_load                # a copy of db.sqlite3 (or a fresh demo shop)
    python -m bench.sqlite_load --database /tmp/shop.sqlite3

Starts `manage.py runserver` (the development settings, as `make run` does) on a free
127.0.0.1 port over a copy of the database, signs up a few customers and sends at most 60
overlapping cart requests: first from one customer in several threads, then from several
customers at once. Prints the status codes and exits with 1 on any server error, a failed
request, or a cart that lost an update (a quantity other than the sum of the accepted adds).
"""

import argparse
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from bench.load import PROJECT_DIR, NoRedirects, free_port
from bench.load import serving as serving_command

MAKE_RUN_DATABASE = PROJECT_DIR / "db.sqlite3"
REQUEST_TIMEOUT = 30
# An accepted add goes to the cart; a refused one (out of stock, cart full) back to `next`.
REFUSED_ADD_GOES_TO = "/shop/"


def server_environment(database_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{database_path}",
    }
    for name in ("REDIS_URL", "SEARCH_URL", "SEARCH_BACKEND", "TASKS_BACKEND"):
        env.pop(name, None)
    return env


def prepare_database(database_path, log):
    """`make run`'s database, copied; or a new one migrated and seeded as `make run` does."""
    if MAKE_RUN_DATABASE.exists():
        log(f"Copying {MAKE_RUN_DATABASE} ...")
        source = sqlite3.connect(MAKE_RUN_DATABASE)
        target = sqlite3.connect(database_path)
        with target:
            source.backup(target)
        source.close()
        target.close()
    env = server_environment(database_path)
    # seed_demo adds only what is missing, as `make run` relies on: a copy of an empty or
    # partly seeded database gets the demo catalogue too.
    log("Migrating and seeding the demo shop ...")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo"], cwd=PROJECT_DIR, env=env, check=True, stdout=subprocess.DEVNULL
    )


@contextmanager
def serving(database_path, log_path):
    """`manage.py runserver` on a free loopback port over `database_path`; yields its URL."""
    port = free_port()
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    env = server_environment(database_path)
    with serving_command(command, "runserver", env, log_path, port, ready_path="/healthz") as url:
        yield url


class Shopper:
    """One browser: its own cookies (session, CSRF), shared by the threads that use it."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects
        )

    def request(self, path, data=None):
        """(status, Location) of one GET, or of a POST of `data` with the CSRF token."""
        headers = {}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.cookie("csrftoken")
        request = urllib.request.Request(self.base_url + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", ""), error.read()

    def cookie(self, name):
        return next((cookie.value for cookie in self.cookies if cookie.name == name), "")

    def sign_up(self, username):
        self.request("/accounts/signup/")
        password = secrets.token_urlsafe(12)
        status, location, _ = self.request(
            "/accounts/signup/",
            {
                "username": username, "name": f"Load {username}",
                "email": f"{username}@example.com", "phone": "(555) 010-2020",
                "password1": password, "password2": password,
            },
        )
        if status != 302:
            raise RuntimeError(f"Signing up {username} answered {status}.")

    def cart_quantities(self):
        """{product id: quantity} as the cart page shows them."""
        _status, _location, html = self.request("/cart/")
        # Each line's update form: its product's id, then its quantity field.
        lines = re.findall(
            r'name="product" value="(\d+)">(?:(?!</form>).)*?name="quantity" value="(\d+)"',
            html.decode(), re.DOTALL,
        )
        return {int(product): int(quantity) for product, quantity in lines}


@dataclass
class LoadResult:
    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)  # requests that got no answer
    lost_updates: list = field(default_factory=list)

    @property
    def ok(self):
        return not (self.statuses[500] or self.failures or self.lost_updates)


def cart_products(base_url, count=2):
    """Ids of `count` products on sale in one configuration (so adding the product alone
    adds it), from the catalogue API."""
    with urllib.request.urlopen(
        f"{base_url}/api/v2/products/?limit=20&fields=variants", timeout=REQUEST_TIMEOUT
    ) as response:
        items = json.load(response)["items"]
    ids = [
        item["id"] for item in items
        if item.get("in_stock", True) and len(item.get("variants", [None])) == 1
    ][:count]
    if len(ids) < count:
        raise RuntimeError(f"The shop has fewer than {count} products in stock.")
    return ids


def cart_load(base_url, customers, requests_each, threads, result, log, label):
    """`customers` shoppers each send `requests_each` cart changes, `threads` at a time in
    all: mostly "add 1 × A", every fifth "remove B" (B is put in the cart first)."""
    added, removed = cart_products(base_url)
    shoppers = []
    for number in range(customers):
        shopper = Shopper(base_url)
        shopper.sign_up(f"load{secrets.token_hex(4)}{number}")
        shopper.request("/cart/add/", {"product": removed, "quantity": 1})
        shoppers.append(shopper)
    before = {id(shopper): shopper.cart_quantities().get(added, 0) for shopper in shoppers}
    accepted = Counter()

    def send(work):
        shopper, step = work
        if step % 5 == 4:
            data, path = {"product": removed}, "/cart/remove/"
        else:
            data = {"product": added, "quantity": 1, "next": REFUSED_ADD_GOES_TO}
            path = "/cart/add/"
        try:
            status, location, _ = shopper.request(path, data)
        except OSError as error:  # no answer at all is as bad as a 500
            return None, str(error)
        if path == "/cart/add/" and status == 302 and location.endswith("/cart/"):
            accepted[id(shopper)] += 1
        return status, ""

    work = [(shopper, step) for step in range(requests_each) for shopper in shoppers]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(send, work))
    statuses = Counter(status for status, _error in outcomes if status is not None)
    result.statuses.update(statuses)
    result.failures += [error for status, error in outcomes if status is None]
    for number, shopper in enumerate(shoppers, start=1):
        quantities = shopper.cart_quantities()
        expected = before[id(shopper)] + accepted[id(shopper)]
        if quantities.get(added, 0) != expected or removed in quantities:
            result.lost_updates.append(
                f"{label}, customer {number}: {quantities.get(added, 0)} × product {added} "
                f"(expected {expected}), product {removed} "
                + ("still in the cart" if removed in quantities else "removed")
            )
    counts = ", ".join(f"{count} × {status}" for status, count in sorted(statuses.items()))
    log(f"{label}: {len(work)} requests in {threads} threads: {counts or 'no answers'}")


def run_load(base_url, log=print):
    """The two passes (at most 60 cart requests in all); returns a LoadResult."""
    result = LoadResult()
    cart_load(base_url, 1, 25, 5, result, log, "One customer")
    cart_load(base_url, 4, 8, 8, result, log, "Four customers")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.sqlite_load", description=__doc__)
    parser.add_argument("--database", help="an SQLite file to serve as it is (default: a copy)")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="storefront-sqlite-load-") as work:
        database = Path(options.database or Path(work) / "shop.sqlite3")
        if not options.database:
            prepare_database(database, print)
        log_path = Path(work) / "runserver.log"
        with serving(database, log_path) as base_url:
            result = run_load(base_url)
        if result.statuses[500]:
            print(f"Server errors: see the log below.\n{log_path.read_text()[-4000:]}")
        for line in result.failures + result.lost_updates:
            print(line)
    print("OK: no server error, no lost update." if result.ok else "FAILED")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
