"""The benchmark's steps, in order; started by bench/__main__.py once Django is set up."""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bench import report
from bench.catalogue import seed_catalogue
from bench.checkout import checkout_race
from bench.load import (
    LoadSettings,
    Scenario,
    fetch,
    free_port,
    measure,
    running_site,
    serving,
    throughput,
)
from bench.peer import Peer, PeerError
from bench.scenarios import ShopUnderTest, queries_per_request, save_static_copy
from home.shared.page_cache import CACHE_STATUS_HEADER
from products.models import ProductPage

WORK_DIR = Path(__file__).resolve().parent / "work"


def log(message):
    print(message, flush=True)


def run(options):
    started = time.time()
    log(f"Database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    call_command("migrate", verbosity=0)
    log(f"Seeding {options.products} products ...")
    seed_catalogue(options.products, log=log)
    call_command("collectstatic", interactive=False, verbosity=0)

    results = {
        "machine": report.machine(),
        "settings": {
            "products": ProductPage.objects.live().count(),
            "database": connection.vendor,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
            "gunicorn_workers": options.workers,
            "wrk_connections": options.connections,
            "seconds_per_pass": options.duration,
            "seconds_per_latency_pass": options.latency_duration,
        },
        "pages": [],
    }
    if not options.skip_pages:
        results["pages"] = measure_pages(options)
    results["checkout"] = run_checkout_race(options)
    if options.peer:
        try:
            results["peer"] = compare_with_peer(options)
        except PeerError as error:
            raise SystemExit(f"--peer: {error}") from error
    results["seconds"] = round(time.time() - started, 1)
    print(report.table(results))
    log(f"Written {report.write(results)}")


def measure_pages(options):
    site = ShopUnderTest()
    save_static_copy(site, Path(os.environ["BENCH_STATIC_PAGE_DIR"]))
    static = site.static_scenario()
    with_cache = chosen(site.scenarios("anonymous") + site.scenarios("logged in"), options.only)
    without_cache = chosen(site.scenarios("anonymous, no page cache"), options.only)
    load = load_settings(options)

    log("Counting SQL queries per request ...")
    queries = {}
    for scenario in with_cache + without_cache:
        user = site.users[0] if scenario.visitor == "logged in" else None
        queries[scenario.name] = queries_per_request(scenario, user)

    rows = []
    server_log = WORK_DIR / "gunicorn.log"
    for page_cache, scenarios in (("true", [static, *with_cache]), ("false", without_cache)):
        env = {**os.environ, "PAGE_CACHE": page_cache}
        with running_site(env, options.workers, server_log) as base_url:
            for scenario in scenarios:
                log(f"  {scenario.name}")
                figures = measure(base_url, scenario, load)
                figures["page_cache"] = cache_status(base_url, scenario)
                figures["sql_queries"] = queries.get(scenario.name)
                rows.append({"page": scenario.page, "visitor": scenario.visitor, **figures})
    return report.with_static_ratio(rows)


def load_settings(options):
    return LoadSettings(
        options.duration, options.connections, options.max_requests, options.latency_duration
    )


def compare_with_peer(options):
    """The uncached pages of the shop and of bakerydemo, side by side (bench/peer.py): both
    served at once, each page measured on one then the other, in turn, for a few rounds."""
    peer = Peer(options.peer, options.peer_database_url)
    peer.install(log)
    peer.seed(options.products, log)
    uncached = ShopUnderTest().scenarios("anonymous, no page cache")
    shop_scenarios = {scenario.page: scenario for scenario in uncached}
    pairs = [
        (shop_scenarios[page], Scenario(page, "bakerydemo", [path]))
        for page, path in peer.pages()
    ]
    peer.warm([bakerydemo.paths[0] for _shop, bakerydemo in pairs], log)
    load = load_settings(options)
    passes = []
    shop_env = {**os.environ, "PAGE_CACHE": "false"}
    port = free_port()
    with (
        running_site(shop_env, options.workers, WORK_DIR / "gunicorn.log") as shop_url,
        serving(
            peer.gunicorn_command(port, options.workers), "bakerydemo's gunicorn",
            peer.environment, WORK_DIR / "bakerydemo-gunicorn.log", port, cwd=peer.dir,
        ) as peer_url,
    ):
        for number in range(options.rounds):
            log(f"Against bakerydemo, round {number + 1} of {options.rounds} ...")
            for shop, bakerydemo in pairs:
                sites = [("shop", shop_url, shop), ("bakerydemo", peer_url, bakerydemo)]
                # Each site goes first in every other round, so neither always gets the
                # machine straight after the other's load.
                for site, base_url, scenario in sites[:: 1 if number % 2 == 0 else -1]:
                    figures = throughput(base_url, scenario, load)
                    log(f"  {scenario.page}, {site}: {figures['requests_per_second']:.0f} req/s")
                    passes.append({"page": scenario.page, "site": site, "round": number + 1,
                                   "path": scenario.paths[0], **figures})
    return {
        "dir": str(peer.dir),
        "rounds": options.rounds,
        "commit": peer.commit(),
        "pages": report.peer_comparison(passes),
        "passes": passes,
    }


def chosen(scenarios, only):
    """The scenarios whose name contains `only` (all of them if it is empty)."""
    return [scenario for scenario in scenarios if only.lower() in scenario.name.lower()]


def cache_status(base_url, scenario):
    """What the page cache said about one more request: "hit", "miss" or "" (not cached)."""
    if scenario.method != "GET" or scenario.visitor == "static file":
        return ""
    _status, headers = fetch(base_url, scenario)
    return headers.get(CACHE_STATUS_HEADER, "")


def run_checkout_race(options):
    if connection.vendor != "postgresql":
        return {"skipped": "the checkout race needs PostgreSQL (row locks under concurrency)"}
    log(f"Checkout race: {options.buyers} buyers for {options.stock} units ...")
    return checkout_race(options.buyers, options.stock)
