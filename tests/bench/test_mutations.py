"""The mutation check's list stays true to the code it mutates (bench/mutations.py).

Running the mutations is `make mutations`; these only check the list and the file handling."""

from pathlib import Path

import pytest

from bench.mutations import MUTATIONS, PROJECT_DIR, Mutation, Stale, mutated, occurrences

DOMAIN_MODULES = {
    "commerce/pricing.py", "commerce/orders/stock.py", "commerce/checkout/place_order.py",
    "commerce/payments/refunds.py", "commerce/orders/status.py", "commerce/cart/carts.py",
    "products/stock.py", "commerce/checkout/payment_flow.py", "commerce/checkout/reservations.py",
    "commerce/promotions/vouchers.py", "products/sales.py",
}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.describe())
def test_every_listed_snippet_is_found_exactly_once_in_its_file(mutation):
    assert occurrences(mutation) == 1


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda mutation: mutation.describe())
def test_every_mutation_changes_a_domain_module_and_names_tests_that_exist(mutation):
    assert mutation.path in DOMAIN_MODULES
    assert mutation.replacement != mutation.original
    assert mutation.tests
    assert all((PROJECT_DIR / test).is_file() for test in mutation.tests), mutation.tests


def test_each_domain_module_is_mutated():
    assert {mutation.path for mutation in MUTATIONS} == DOMAIN_MODULES


def write_module(root, text):
    path = Path(root) / "commerce" / "pricing.py"
    path.parent.mkdir()
    path.write_text(text)
    return path


def test_a_mutated_file_is_restored_with_its_time_even_when_the_run_fails(tmp_path):
    path = write_module(tmp_path, "total = a - b\n")
    before = path.stat().st_mtime_ns
    mutation = Mutation("commerce/pricing.py", "a - b", "a + b", ("tests",))

    with pytest.raises(RuntimeError), mutated(mutation, root=tmp_path):
        assert path.read_text() == "total = a + b\n"
        assert path.stat().st_mtime_ns != before
        raise RuntimeError("the test run was interrupted")

    assert path.read_text() == "total = a - b\n"
    assert path.stat().st_mtime_ns == before


@pytest.mark.parametrize("text", ["total = a * b\n", "x = a - b\ny = a - b\n"])
def test_a_snippet_not_found_exactly_once_is_stale_and_nothing_is_changed(tmp_path, text):
    path = write_module(tmp_path, text)
    mutation = Mutation("commerce/pricing.py", "a - b", "a + b", ("tests",))

    with pytest.raises(Stale), mutated(mutation, root=tmp_path):
        pass

    assert path.read_text() == text
