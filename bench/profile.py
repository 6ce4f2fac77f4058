"""Where one request's time goes: `python -m bench.profile --products 1000` (`make profile`).

Seeds the benchmark's catalogue (as `make bench` does, same database), then sends each page
N times in-process through Django's test client with the production settings, the page cache
off (every request renders), under pyinstrument when it is installed and cProfile otherwise.
Prints, per page: milliseconds and SQL queries per request, the share of time in each layer
(SQL execution, the ORM building SQL, templates, Wagtail routing, images) and the functions
that cost most. See README, "Benchmarks".
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time

from bench.__main__ import PROJECT_DIR, bench_environment, default_database_url, ensure_database

# Layers a request's time is split into: a name and the functions (file fragment, function
# name) whose cumulative time is that layer's. Layers nest (SQL execution happens inside the
# ORM), so shares do not add up to 100%.
LAYERS = [
    ("SQL execution (driver and database)", [("django/db/backends/utils.py", "_execute")]),
    ("ORM building SQL", [("django/db/models/sql/compiler.py", "as_sql")]),
    ("ORM querysets evaluated (SQL included)", [("django/db/models/query.py", "__iter__")]),
    ("templates", [("django/template/base.py", "render")]),
    ("Wagtail routing (slug lookups, .specific)", [("wagtail/models/pages.py", "route")]),
    ("image markup (renditions, srcset)", [("wagtail/images/models.py", "get_renditions"),
                                           ("wagtail/images/models.py", "get_rendition")]),
    ("search backend", [("wagtail/search/", "search")]),
]


def parse_options(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.profile",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000, help="catalogue size (1000)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="as for python -m bench")
    parser.add_argument("--requests", type=int, default=50, help="requests per page (50)")
    parser.add_argument("--only", default="", metavar="TEXT",
                        help='only the pages whose name contains TEXT, e.g. "product"')
    parser.add_argument("--logged-in", action="store_true",
                        help="as a logged-in shopper instead of an anonymous visitor")
    parser.add_argument("--top", type=int, default=12,
                        help="functions listed per page in each list (12)")
    parser.add_argument("--no-seed", action="store_true",
                        help="profile the database as it is, adding no products")
    options = parser.parse_args(argv)
    if options.products < 1 or options.requests < 1:
        parser.error("--products and --requests must be positive.")
    options.database_url = options.database_url or default_database_url(options.products)
    return options


def layer_shares(stats, total):
    """{layer: share of total time} from cProfile stats."""
    shares = {}
    for name, functions in LAYERS:
        seconds = 0.0
        for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in (
            stats.stats.items()
        ):
            if any(fragment in filename and function == wanted
                   for fragment, wanted in functions):
                seconds = max(seconds, cumulative)  # nested calls of one layer count once
        shares[name] = seconds / total if total else 0.0
    return shares


def profile_page(send, requests):
    """(seconds per request, queries per request, cProfile stats) of `requests` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    send()  # renditions made, templates compiled, lookups held, as on a warm worker
    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            response = send()
        profiler.disable()
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, f"answered {response.status_code}"
    return elapsed / requests, len(queries) / requests, pstats.Stats(profiler)


def pyinstrument_report(send, requests):
    try:
        from pyinstrument import Profiler
    except ImportError:
        return None
    profiler = Profiler()
    with profiler:
        for _ in range(requests):
            send()
    return profiler.output_text(unicode=True, color=False, show_all=False)


def top_functions(stats, count):
    """The functions that cost most by their own time, and the shop's own functions by
    cumulative time (what they and everything they call cost)."""
    sections = []
    for title, order, restriction in [
        ("own time", "tottime", r"."),
        ("the shop's functions, cumulative", "cumulative", rf"^{PROJECT_DIR}/(?!\.venv|bench)"),
    ]:
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats(order).print_stats(restriction, count)
        lines = out.getvalue().splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip().startswith("ncalls"))
        sections.append(f"   -- by {title}\n" + "\n".join(lines[start:]).rstrip())
    return "\n".join(sections)


def run(options):
    from django.core.management import call_command
    from django.test import Client, override_settings

    from bench.catalogue import seed_catalogue
    from bench.scenarios import BENCH_HOST, ShopUnderTest

    call_command("migrate", verbosity=0)
    if not options.no_seed:
        seed_catalogue(options.products, log=print)
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest pages need
    site = ShopUnderTest()
    client = Client(HTTP_HOST=BENCH_HOST)
    if options.logged_in:
        client.force_login(site.users[0])
    visitor = "logged in" if options.logged_in else "anonymous"
    print(f"\n{options.requests} requests per page, {visitor}, page cache off\n")
    with override_settings(PAGE_CACHE_ENABLED=False):
        for label, path in site.pages:
            if options.only not in label:
                continue
            def send(path=path):
                return client.get(path)

            seconds, queries, stats = profile_page(send, options.requests)
            print(f"== {label}: {path}")
            print(f"   {seconds * 1000:.1f} ms and {queries:.0f} SQL queries per request "
                  "(under the profiler, which slows Python down)")
            for name, share in layer_shares(stats, seconds * options.requests).items():
                print(f"   {share:6.1%}  {name}")
            tree = pyinstrument_report(send, options.requests)
            print(tree if tree else top_functions(stats, options.top))
            print()


def main(argv=None):
    options = parse_options(argv)
    os.environ.update(bench_environment(options))
    sys.path.insert(0, str(PROJECT_DIR))
    ensure_database(options.database_url)

    import django

    django.setup()
    run(options)


if __name__ == "__main__":
    main()
