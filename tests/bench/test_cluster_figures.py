"""The cluster figures' table (bench/cluster_figures.py), from measured rows."""

from argparse import Namespace

from bench.cluster_figures import table

OPTIONS = Namespace(products=200, gunicorn_workers=2, connections=8, buyers=10)
MACHINE = {"cores": 2}


def figures(per_second, failed=""):
    return {"requests_per_second": per_second, "p50_ms": 5.0, "p95_ms": 9.0,
            "errors": 40 if failed else 0, "failed": failed}


def test_a_row_whose_requests_mostly_failed_shows_why_instead_of_figures():
    rows = {"listing page 1, cached (anonymous)": {
        "1 server": figures(0.0, failed="40 of 40 requests failed"),
        "2 servers": figures(280.0),
    }}

    [_heading, _columns, row, errors] = table(rows, OPTIONS, MACHINE).splitlines()

    assert "not measured" in row and "1 server: 40 of 40 requests failed" in row
    assert "280" not in row
    assert errors.strip().startswith("errors: 40 (1 server), 0 (2 servers)")


def test_a_measured_row_shows_both_servers_and_their_ratio():
    rows = {"add to cart (logged in)": {"1 server": figures(20.0), "2 servers": figures(37.0)}}

    row = table(rows, OPTIONS, MACHINE).splitlines()[2]

    assert row.split()[-7:-4] == ["20", "37", "1.85"]
