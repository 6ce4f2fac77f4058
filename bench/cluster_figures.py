"""The cluster's figures (`python -m bench.cluster`): the same pages through nginx with one
app server behind it and then with two, in one run, and the ratio between them."""

import math
import os
import threading
import time

from bench import report
from bench.cluster import Browser, Cluster, add_to_cart, checkout_form, place_checkout
from bench.load import LoadSettings, measure, mostly_failed

ROW_FORMAT = "{:<34} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7}"


def run(options):
    def seed(cluster):
        direct = {**cluster.env, "DATABASE_URL": cluster.database_url(pooled=False),
                  "DATABASE_POOLER": "", "TASKS_BACKEND": "immediate"}
        cluster.manage("seed_benchmark", "--products", str(options.products), env=direct)

    cluster = Cluster(options.database, app_servers=2,
                      gunicorn_workers=options.gunicorn_workers, task_workers=1)
    load = LoadSettings(options.duration, options.connections, 20_000, options.latency_duration)
    try:
        print(f"Starting the cluster in {cluster.work} ...", flush=True)
        cluster.start(prepare=seed)
        os.environ.update(cluster.env)
        import django

        django.setup()
        from bench.scenarios import ShopUnderTest

        site = ShopUnderTest()
        scenarios = page_scenarios(site)
        rows = {}
        for label, servers in (("1 server", ["app1"]), ("2 servers", ["app1", "app2"])):
            cluster.balance_over(servers)
            print(f"-- nginx in front of {label}", flush=True)
            for name, scenario in scenarios:
                rows.setdefault(name, {})[label] = measure(cluster.url, scenario, load)
                figures = rows[name][label]
                print(f"   {name}: {figures['requests_per_second']} req/s"
                      + (f" ({figures['failed']})" if figures["failed"] else ""), flush=True)
            checkout = checkout_figures(cluster, site, options.buyers)
            rows.setdefault("checkout (cash on delivery)", {})[label] = checkout
            print(f"   checkout: {checkout['requests_per_second']} orders/s, "
                  f"{checkout['errors']} failed {checkout['error_kinds']}", flush=True)
        print(table(rows, options, report.machine()))
    finally:
        cluster.stop()


def page_scenarios(site):
    """(row name, Scenario): the product page cached and not, the listing, add to cart."""
    anonymous = {s.page: s for s in site.scenarios("anonymous")}
    logged_in = {s.page: s for s in site.scenarios("logged in")}
    return [
        ("product page, cached (anonymous)", anonymous["product"]),
        ("product page, rendered (logged in)", logged_in["product"]),
        ("listing page 1, cached (anonymous)", anonymous["listing, page 1"]),
        ("listing page 1, rendered (logged in)", logged_in["listing, page 1"]),
        ("add to cart (logged in)", logged_in["add to cart"]),
    ]


def checkout_figures(cluster, site, buyers):
    """`buyers` guests with their checkout form filled in press "Place order" at once (plenty
    of stock): orders placed per second, and the time each of those POSTs took."""
    variant = site.cart_variants[0]
    cluster.python(f"""
from products.stock import sync_products
from products.variants import ProductVariant
ProductVariant.objects.filter(pk={variant.pk}).update(stock=100000)
sync_products([{variant.product_id}])
""")
    browsers = [Browser(cluster.url) for _ in range(buyers)]
    forms, outcomes = [], []
    for number, browser in enumerate(browsers):
        add_to_cart(browser, variant.product_id, variant_id=variant.pk)
        form, failure = checkout_form(browser, f"figures{time.time_ns()}-{number}@example.com")
        forms.append(form)
        if form is None:
            outcomes.append(failure)
    ready = [(browser, form) for browser, form in zip(browsers, forms, strict=True) if form]
    times = []
    start_line = threading.Barrier(len(ready)) if ready else None

    def buy(browser, form):
        start_line.wait()
        started = time.monotonic()
        outcomes.append(place_checkout(browser, form))
        times.append((time.monotonic() - started) * 1000)

    threads = [threading.Thread(target=buy, args=pair) for pair in ready]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    times.sort()
    orders = outcomes.count("order")
    return {
        "requests_per_second": round(orders / seconds, 1) if orders else 0.0,
        "p50_ms": times[len(times) // 2] if times else 0.0,
        "p95_ms": times[max(0, math.ceil(len(times) * 0.95) - 1)] if times else 0.0,
        "loaded_p50_ms": None, "loaded_p95_ms": None,
        "errors": len(outcomes) - orders,
        "error_kinds": sorted(set(outcomes) - {"order"}),
        "failed": mostly_failed(orders, len(outcomes) - orders),
    }


def table(rows, options, machine):
    lines = [
        f"{options.products} products, nginx -> gunicorn x {options.gunicorn_workers} workers "
        f"-> PgBouncer -> PostgreSQL, Redis; wrk {options.connections} connections "
        f"({machine['cores']} cores). req/s loaded (successful answers only); p50/p95 ms one "
        f"connection (checkout: {options.buyers} buyers press Place order at once: orders/s, "
        "and the time of each POST).",
        ROW_FORMAT.format("", "1: req/s", "2: req/s", "ratio", "1: p50", "1: p95", "2: p50",
                          "2: p95"),
    ]
    for name, by_servers in rows.items():
        one, two = by_servers["1 server"], by_servers["2 servers"]
        failures = [f"{label}: {figures['failed']}" for label, figures in by_servers.items()
                    if figures["failed"]]
        if failures:
            # Figures over mostly failed requests would measure the errors, not the page.
            lines.append(f"{name:<34} not measured, most requests failed ({'; '.join(failures)})")
        else:
            ratio = two["requests_per_second"] / one["requests_per_second"]
            lines.append(ROW_FORMAT.format(
                name, f"{one['requests_per_second']:.0f}", f"{two['requests_per_second']:.0f}",
                f"{ratio:.2f}", f"{one['p50_ms']:.1f}", f"{one['p95_ms']:.1f}",
                f"{two['p50_ms']:.1f}", f"{two['p95_ms']:.1f}",
            ))
        if one["errors"] or two["errors"]:
            kinds = sorted(set(one.get("error_kinds", [])) | set(two.get("error_kinds", [])))
            lines.append(f"   errors: {one['errors']} (1 server), {two['errors']} (2 servers)"
                         + (f": {', '.join(kinds)}" if kinds else ""))
    return "\n".join(lines)
