"""`python -m bench --peer DIR`: what can be checked without a bakerydemo checkout."""

import subprocess
import sys

from bench import report
from bench.peer import peer_requirements
from config.env import BASE_DIR


def passes(page, shop, bakerydemo):
    """Interleaved rounds for one page: req/s of the shop and of bakerydemo, round by round."""
    return [
        {"page": page, "site": site, "requests_per_second": figure}
        for shop_figure, peer_figure in zip(shop, bakerydemo, strict=True)
        for site, figure in (("shop", shop_figure), ("bakerydemo", peer_figure))
    ]


def test_ratio_is_the_shops_median_over_bakerydemos_median():
    [row] = report.peer_comparison(passes("product", [90, 300, 100], [20, 30, 25]))

    assert row["shop_requests_per_second"] == 100  # one slow round does not move it
    assert row["bakerydemo_requests_per_second"] == 25
    assert row["ratio"] == 4.0


def test_detail_page_meets_its_target_at_three_times_bakerydemo():
    [row] = report.peer_comparison(passes("product", [60, 60, 60], [20, 20, 20]))

    assert (row["target"], row["result"]) == (3, "met")


def test_listing_three_times_as_fast_misses_its_four_times_target():
    [row] = report.peer_comparison(passes("listing, page 1", [60, 61, 59], [20, 20, 20]))

    assert (row["ratio"], row["target"], row["result"]) == (3.0, 4, "missed")


def test_pages_without_a_target_are_compared_but_not_judged():
    rows = report.peer_comparison(
        passes("home", [50, 50, 50], [100, 100, 100]) + passes("search", [10, 10, 10], [5, 5, 5])
    )

    assert [(row["page"], row["ratio"], row["result"]) for row in rows] == [
        ("home", 0.5, None), ("search", 2.0, None),
    ]
    printed = "\n".join(report.peer_table({"dir": "/x", "rounds": 3, "pages": rows}))
    assert "0.50x" in printed and "met" not in printed and "missed" not in printed


def test_the_printed_comparison_says_met_or_missed_per_target():
    rows = report.peer_comparison(
        passes("product", [90, 90, 90], [20, 20, 20])
        + passes("listing, page 1", [30, 30, 30], [20, 20, 20])
    )

    printed = report.peer_table({"dir": "/x", "rounds": 3, "pages": rows})
    product = next(line for line in printed if line.startswith("product"))
    listing = next(line for line in printed if line.startswith("listing"))
    assert "4.50x" in product and product.rstrip().endswith("met")
    assert "1.50x" in listing and listing.rstrip().endswith("missed")


def test_a_folder_that_is_not_bakerydemo_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "manage.py").write_text("")

    result = subprocess.run(
        [sys.executable, "-m", "bench", "--peer", str(tmp_path)],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode != 0
    assert "not a checkout of wagtail/bakerydemo" in result.stderr
    assert "git clone https://github.com/wagtail/bakerydemo" in result.stderr
    assert "Seeding" not in result.stdout


def test_a_missing_peer_folder_is_refused(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--peer", str(tmp_path / "nowhere")],
        cwd=BASE_DIR, capture_output=True, text=True, timeout=60,
    )

    assert result.returncode != 0
    assert "is not a folder" in result.stderr


def test_bakerydemo_is_installed_on_the_shops_django_and_wagtail():
    base = "Django>=6.0,<6.1\nwagtail>=7.4,<7.5  # the CMS\ndjango-extensions>=4.1,<5\n"
    production = "-r base.txt\nuwsgi>=2.0.17,<2.1\npsycopg[binary]>=3.3.3,<3.4\n"
    shop = "wagtail==8.0.1\nDjango==5.2.19\nPillow==13.0.0\npsycopg[binary]==3.3.9\n"

    requirements, constraints = peer_requirements(base, production, shop)

    assert requirements.splitlines()[:2] == [
        "django-extensions>=4.1,<5", "psycopg[binary]>=3.3.3,<3.4",
    ]
    assert "Django>=6.0" not in requirements and "uwsgi" not in requirements
    assert {"Django", "wagtail", "gunicorn"} <= set(requirements.splitlines())
    assert constraints.splitlines() == ["wagtail==8.0.1", "Django==5.2.19", "psycopg==3.3.9"]
