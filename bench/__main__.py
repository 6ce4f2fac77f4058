"""The benchmark, in one command: `python -m bench --products 1000` (or `make bench`).

Seeds a catalogue of the given size, starts the shop under gunicorn with production settings
on 127.0.0.1, drives each page with wrk, runs concurrent checkouts on PostgreSQL (and with
--peer DIR compares the uncached pages with wagtail/bakerydemo's, bench/peer.py), prints a
table and writes bench/results/<time>-<products>.json. See README, "Benchmarks".
"""

import argparse
import os
import secrets
import sys
from pathlib import Path

import dj_database_url

from bench.peer import checkout_problem

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
WORK_DIR = BENCH_DIR / "work"
PEER_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bakerydemo_bench"


def parse_options(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=1000, help="catalogue size (1000)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="database to seed and serve; created if missing "
        "(default: postgres://postgres@127.0.0.1:5432/storefront_bench_<products>)",
    )
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per loaded pass (3)")
    parser.add_argument(
        "--latency-duration", type=float, default=5.0,
        help="seconds per one-connection pass, which gives p50 and p95 (5)",
    )
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument(
        "--max-requests", type=int, default=20_000, help="request cap per pass (20000)"
    )
    parser.add_argument(
        "--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (2 x cores + 1)",
    )
    parser.add_argument("--buyers", type=int, default=50, help="concurrent checkouts (50)")
    parser.add_argument("--stock", type=int, default=10, help="units they compete for (10)")
    parser.add_argument("--skip-pages", action="store_true", help="only the checkout race")
    parser.add_argument(
        "--only", default="", metavar="TEXT",
        help='only the pages whose name contains TEXT, e.g. "listing" (the static file is '
        "always measured)",
    )
    parser.add_argument(
        "--peer", metavar="DIR",
        help="a git clone of wagtail/bakerydemo: also compare the uncached pages with its own",
    )
    parser.add_argument(
        "--peer-database-url", default=PEER_DATABASE_URL,
        help=f"bakerydemo's PostgreSQL database, created if missing ({PEER_DATABASE_URL})",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved rounds against the peer (3)"
    )
    options = parser.parse_args(argv)
    if options.peer is not None:
        problem = checkout_problem(options.peer)
        if problem:
            parser.error(
                f"--peer: {problem}. Clone it first: "
                "git clone https://github.com/wagtail/bakerydemo DIR"
            )
        if not options.peer_database_url.startswith(("postgres://", "postgresql://")):
            parser.error("--peer-database-url: bakerydemo is compared on PostgreSQL.")
    if options.rounds < 1:
        parser.error("--rounds must be positive.")
    if options.products < 1 or options.buyers < 1 or options.stock < 0:
        parser.error("--products and --buyers must be positive and --stock not negative.")
    if options.database_url is None:
        options.database_url = default_database_url(options.products)
    return options


def default_database_url(products):
    return f"postgres://postgres@127.0.0.1:5432/storefront_bench_{products}"


def bench_environment(options):
    """Production settings, made to run on loopback without TLS."""
    database_name = dj_database_url.parse(options.database_url)["NAME"]
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": options.database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,shop.example.com",
        "SHOP_BASE_URL": "https://shop.example.com",
        "SECURE_SSL_REDIRECT": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "LOG_JSON": "false",
        # No email leaves the benchmark, and tasks (search indexing of the demo pages, order
        # emails) run at once instead of waiting for a `db_worker`.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "TASKS_BACKEND": "immediate",
        # The checkout race pays by card through the test card gateway, which charges nothing
        # and which production settings offer only when switched on.
        "SHOP_ALLOW_TEST_CARD": "true",
        "MEDIA_ROOT": str(WORK_DIR / "media" / Path(database_name).stem),
        "BENCH_STATIC_ROOT": str(WORK_DIR / "static"),
        "BENCH_STATIC_PAGE_DIR": str(WORK_DIR / "static-page"),
    }


def ensure_database(url):
    """Create the PostgreSQL database if it does not exist yet."""
    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    import psycopg
    from psycopg import sql

    server = {
        "host": config["HOST"] or None, "port": config["PORT"] or None,
        "user": config["USER"] or None, "password": config["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


def main(argv=None):
    options = parse_options(argv)
    os.environ.update(bench_environment(options))
    sys.path.insert(0, str(PROJECT_DIR))
    for folder in ("static", "static-page"):
        (WORK_DIR / folder).mkdir(parents=True, exist_ok=True)

    from bench.load import ensure_wrk

    ensure_wrk()
    ensure_database(options.database_url)
    if options.peer:
        ensure_database(options.peer_database_url)

    import django

    django.setup()
    from bench.run import run

    run(options)


if __name__ == "__main__":
    main()
