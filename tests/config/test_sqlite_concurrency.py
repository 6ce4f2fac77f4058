"""The embedded SQLite default under concurrent cart requests, served by `manage.py runserver`
over an SQLite file (not the suite's in-memory database) with the development settings."""

import sqlite3

import pytest
from django.db import connection

from bench.sqlite_load import run_load, serving
from tests.factories import make_product


@pytest.fixture
def shop_file(product_index, tmp_path):
    """An SQLite file holding the suite's database: the shop, with two products on sale."""
    make_product(product_index, "Load Laptop", price="100.00")
    make_product(product_index, "Load Dock", price="50.00")
    path = tmp_path / "shop.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    with copy:
        connection.connection.backup(copy)
    copy.close()
    return path


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded SQLite default")
@pytest.mark.django_db(transaction=True)
def test_overlapping_cart_changes_all_succeed_and_lose_no_update(shop_file, tmp_path):
    log_path = tmp_path / "runserver.log"
    report = []

    with serving(shop_file, log_path) as base_url:
        result = run_load(base_url, log=report.append)

    server_log = log_path.read_text()[-3000:]
    assert result.statuses[500] == 0, (report, server_log)
    assert not result.failures, (result.failures, server_log)
    assert not result.lost_updates, (result.lost_updates, report)
    # Every cart change answers with a redirect to the cart (and its message).
    assert set(result.statuses) == {302}, report
