"""`make bench` ends with each target of the README and whether this run met it."""

from bench import report


def row(page, visitor, **figures):
    return {"page": page, "visitor": visitor, "sql_queries": None, "static_ratio": None, **figures}


def results(**overrides):
    figures = {
        "pages": [
            row("product page as a static file", "static file", static_ratio=1.0),
            row("product", "anonymous", static_ratio=0.62, p50_ms=0.8, p95_ms=1.3,
                sql_queries=0),
            row("product", "logged in", static_ratio=0.08, p50_ms=6.0, p95_ms=8.0,
                sql_queries=6),
            row("add to cart", "logged in", p50_ms=6.1, p95_ms=10.5, sql_queries=9),
            row("home", "anonymous, no page cache", p50_ms=10.0, p95_ms=12.0, sql_queries=3),
            row("product", "anonymous, no page cache", p50_ms=16.7, p95_ms=22.5,
                sql_queries=5),
            row("listing, page 1", "anonymous, no page cache", p50_ms=37.0, p95_ms=48.0,
                sql_queries=6),
            row("listing, filtered", "anonymous, no page cache", p50_ms=46.0, p95_ms=57.0,
                sql_queries=9),
            row("search", "anonymous, no page cache", p50_ms=30.8, p95_ms=35.5,
                sql_queries=4),
        ],
        "settings": {"products": 10000},
        "checkout": {"correct": True, "orders": 10, "stock": 10},
    }
    return {**figures, **overrides}


def verdicts(checks):
    return {target.split(" p95")[0].split(" at least")[0]: result for target, result, _ in checks}


def test_each_measured_target_is_met_or_missed():
    checks = verdicts(report.targets(results()))

    assert checks == {
        "Cached anonymous product page": "met",
        "Cached product page for a logged-in shopper": "missed",  # 0.08 of the static file
        "Queries for product (anonymous, no page cache) at most 6": "met",
        "Queries for listing, page 1 (anonymous, no page cache) at most 8": "met",
        "Queries for listing, filtered (anonymous, no page cache) at most 8": "missed",  # 9
        "Queries for search (anonymous, no page cache) at most 6": "met",
        "Queries for home (anonymous, no page cache) at most 5": "met",
        "Queries for add to cart (logged in) at most 10": "met",
        "Uncached product page": "met",
        "Uncached listing": "missed",  # the filtered listing took 57 ms
        # 46 ms against the product page's 16.7 ms at p50: 2.75x.
        "Uncached listing within 1.5x the uncached product page (p50)": "missed",
        "Search": "met",
        "Checkout: exactly K orders, no oversell, no unexpected error": "met",
    }


def test_a_listing_close_to_the_product_page_meets_its_ratio():
    close = results()
    for page in close["pages"]:
        if page["page"].startswith("listing"):
            page["p50_ms"] = 24.0  # 1.44x the product page's 16.7 ms

    checks = verdicts(report.targets(close))

    assert checks["Uncached listing within 1.5x the uncached product page (p50)"] == "met"


def test_a_cached_page_under_half_the_static_files_throughput_misses():
    slow = results()
    slow["pages"][1]["static_ratio"] = 0.41

    assert verdicts(report.targets(slow))["Cached anonymous product page"] == "missed"


def test_a_page_that_answered_no_request_in_time_misses_its_latency_target():
    timed_out = results()
    for page in timed_out["pages"]:
        if page["page"].startswith("listing"):  # both listings, as at 100,000 products
            page.update(p50_ms=0.0, p95_ms=0.0, failed="no request was answered")

    checks = report.targets(timed_out)

    listing = [check[1:] for check in checks if check[0].startswith("Uncached listing")]
    assert listing == [
        ("missed", "no request was answered (listing, page 1) at 10000 products"),  # p95
        ("missed", "no request was answered (listing, page 1) at 10000 products"),  # 1.5x
    ]


def test_an_oversold_race_misses_and_a_skipped_one_is_not_judged():
    oversold = verdicts(report.targets(results(checkout={"correct": False, "orders": 11,
                                                          "stock": 10})))
    skipped = verdicts(report.targets(results(checkout={"skipped": "needs PostgreSQL"})))

    assert oversold["Checkout: exactly K orders, no oversell, no unexpected error"] == "missed"
    assert not any(target.startswith("Checkout") for target in skipped)


def test_pages_not_measured_are_left_out_rather_than_judged():
    checks = verdicts(report.targets(results(pages=[])))

    assert list(checks) == ["Checkout: exactly K orders, no oversell, no unexpected error"]


def test_the_printed_table_ends_with_the_targets():
    printed = report.table({
        **results(), "machine": {"cores": 2, "memory_gib": 24}, "seconds": 1.0,
        "settings": {"products": 10000, "database": "postgresql", "cache": "LocMemCache",
                     "gunicorn_workers": 5, "wrk_connections": 8},
        "checkout": {"correct": True, "orders": 10, "stock": 10, "buyers": 50,
                     "orders_per_second": 15, "out_of_stock": 40, "other_errors": 0,
                     "stock_left": 0},
    })

    assert "Against the targets" in printed
    assert "missed  Uncached listing p95 under 50 ms: 57.0 ms (listing, filtered)" in printed
    assert "met     Search p95 under 100 ms" in printed
