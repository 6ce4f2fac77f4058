"""The mutation check: does the test suite notice when the money and order logic is wrong?

`python -m bench.mutations` (or `make mutations`) applies each mutation listed below, a
one-line change to commerce/pricing.py, orders/stock.py, checkout/place_order.py,
checkout/payment_flow.py, checkout/reservations.py, payments/refunds.py, orders/status.py,
cart/carts.py, promotions/vouchers.py or products/stock.py, runs the tests aimed at it
(`pytest -x -q`), puts the file back and says whether the tests caught it. It ends with
"N of M mutations caught" and exits 0 only if all were.
A mutation that survives is a change to the shop's rules no test would notice.

    python -m bench.mutations --list       # the mutations, numbered
    python -m bench.mutations --only 7     # one of them (repeat --only for more)

Uses the database the tests use: SQLite unless DATABASE_URL is set. PostgreSQL is the better
choice: the mutations that remove a row lock can only be caught there (on SQLite they are
skipped and not counted), and its test database is kept between runs, which makes each run
several times quicker than SQLite's, migrated afresh each time.
Before the first mutation the targeted tests are run once unchanged, so that a failing suite
is not taken for caught mutations. A listed snippet that is not found exactly once in its file
is "stale": nothing is run until the list is fixed (tests/bench/test_mutations.py checks
this too). Each file is restored in a `finally`, also on Ctrl-C.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    path: str
    original: str
    replacement: str
    tests: tuple
    # Only concurrent transactions on PostgreSQL can tell (a row lock removed).
    postgres: bool = False

    def describe(self):
        return f"{self.path}: {self.original.strip()!r} -> {self.replacement.strip()!r}"


STOCK_MODULE = "commerce/orders/stock.py"
CHECKOUT_MODULE = "commerce/checkout/place_order.py"
REFUNDS_MODULE = "commerce/payments/refunds.py"
STATUS_MODULE = "commerce/orders/status.py"
CART_MODULE = "commerce/cart/carts.py"
PAYMENT_FLOW_MODULE = "commerce/checkout/payment_flow.py"
RESERVATIONS_MODULE = "commerce/checkout/reservations.py"
VOUCHERS_MODULE = "commerce/promotions/vouchers.py"

PRICING = ("tests/commerce/test_pricing.py", "tests/commerce/test_pricing_properties.py",
           "tests/commerce/checkout/test_place_order.py", "tests/commerce/cart/test_cart.py")
STOCK = ("tests/commerce/orders/test_stock.py", "tests/commerce/checkout/test_place_order.py",
         "tests/commerce/orders/test_status.py")
CHECKOUT = ("tests/commerce/checkout/test_place_order.py", "tests/commerce/orders/test_stock.py",
            "tests/commerce/orders/test_invoices.py", "tests/commerce/orders/test_status.py")
PAYMENTS = ("tests/commerce/payments/test_payments.py", "tests/commerce/orders/test_status.py",
            "tests/commerce/checkout/test_place_order.py", "tests/commerce/orders/test_invoices.py")
ORDER_STATUS = ("tests/commerce/orders/test_status.py", "tests/commerce/orders/test_stock.py",
                "tests/commerce/reviews/test_rules.py", "tests/commerce/payments/test_payments.py")
CART = ("tests/commerce/cart/test_cart.py", "tests/commerce/checkout/test_place_order.py",
        "tests/commerce/cart/test_sessions.py")
VARIANTS = ("tests/products/test_variants.py",)
RACES = ("tests/commerce/test_concurrency.py", "tests/commerce/orders/test_status.py")
VOUCHERS = ("tests/commerce/promotions/test_vouchers.py",)
SALES = ("tests/products/test_sales.py",)
TWO_PHASE = ("tests/commerce/checkout/test_two_phase.py",
             "tests/commerce/checkout/test_place_order.py", "tests/commerce/orders/test_status.py")

MUTATIONS = [
    # Pricing: rounding, the discount rule and the sums.
    Mutation("commerce/pricing.py", "quantize(CENT, rounding=ROUND_HALF_UP)", "quantize(CENT)",
             PRICING),
    Mutation("commerce/pricing.py", "quantity > self.threshold", "quantity >= self.threshold",
             PRICING),
    Mutation("commerce/pricing.py", "return self.enabled and any(", "return any(", PRICING),
    Mutation("commerce/pricing.py", "Decimal(unit_price) * quantity",
             "Decimal(unit_price) * (quantity - 1)", PRICING),
    Mutation("commerce/pricing.py", "rule.percentage / 100)", "rule.percentage / 10)", PRICING),
    Mutation("commerce/pricing.py", "merchandise = amount_before - amount_off",
             "merchandise = amount_before", PRICING),
    Mutation("commerce/pricing.py", "merchandise >= method.free_above",
             "merchandise > method.free_above", PRICING),
    Mutation("commerce/pricing.py", "(shipping if tax_rule.taxes_shipping else ZERO)",
             "shipping", PRICING),
    Mutation("commerce/pricing.py", "    if status == OrderStatus.CART:",
             "    if status != OrderStatus.CART:", PRICING),
    Mutation("commerce/pricing.py",
             "    if order.status != OrderStatus.CART:\n        return None",
             "    if False:\n        return None",
             PRICING + ("tests/commerce/orders/test_status.py",)),
    Mutation("commerce/pricing.py", 'f"{to_money(amount):,.2f}"', 'f"{to_money(amount):.2f}"',
             PRICING + ("tests/commerce/orders/test_invoices.py",)),
    # Stock: the shortage check, which lines are taken and given back, and the locks.
    Mutation(STOCK_MODULE, "variants[pk].stock < units", "variants[pk].stock <= units",
             STOCK),
    Mutation(STOCK_MODULE,
             "if pk not in variants or not variants[pk].active or not variants[pk].product.live",
             "if pk not in variants or not variants[pk].active", STOCK),
    Mutation(STOCK_MODULE,
             "if pk not in variants or not variants[pk].active or not variants[pk].product.live",
             "if pk not in variants or not variants[pk].product.live", VARIANTS),
    Mutation(STOCK_MODULE, "change_stock(tracked, sign=-1,",
             "change_stock(tracked, sign=1,", STOCK),
    Mutation(STOCK_MODULE, "        sign=1,", "        sign=-1,", STOCK),
    Mutation(STOCK_MODULE, '"variant", "reserved_quantity"', '"variant", "quantity"', STOCK),
    Mutation(STOCK_MODULE,
             "locked.items.filter(reserved_quantity__gt=0).update(reserved_quantity=0)",
             "locked.items.filter(reserved_quantity__gt=0)", STOCK),
    Mutation("products/stock.py", 'ProductPage.objects.select_for_update(of=("self",))',
             "ProductPage.objects.all()", RACES, postgres=True),
    Mutation("products/stock.py", 'ProductVariant.objects.select_for_update(of=("self",))',
             "ProductVariant.objects.all()", RACES, postgres=True),
    # Checkout: what is snapshotted and guarded when an order is placed.
    Mutation(CHECKOUT_MODULE,
             "item.reserved_quantity = item.quantity if variant.stock is not None else 0",
             "item.reserved_quantity = item.quantity", CHECKOUT),
    Mutation(CHECKOUT_MODULE, "            if expected_total is None:",
             "            if False:", CHECKOUT),
    Mutation(CHECKOUT_MODULE, "if totals.total != expected_total:",
             "if totals.total > expected_total:", CHECKOUT),
    Mutation(CHECKOUT_MODULE, "order.payment_due_by = now + reservation_time()",
             "order.payment_due_by = now", CHECKOUT + TWO_PHASE),
    Mutation(CHECKOUT_MODULE, "{order.pk:06d}", "{order.pk % 1000:06d}", CHECKOUT),
    Mutation(CHECKOUT_MODULE, "timezone.localdate(placed_at)", "placed_at.date()",
             CHECKOUT),
    Mutation(CHECKOUT_MODULE, "order.billing_name = buyer.name",
             "order.billing_name = buyer.email", CHECKOUT),
    # Paying after the reservation: recorded as answered, refused once released, voided.
    Mutation(PAYMENT_FLOW_MODULE, "if payment.status == PaymentStatus.AUTHORISED",
             "if payment.status != PaymentStatus.AUTHORISED", TWO_PHASE),
    Mutation(PAYMENT_FLOW_MODULE, "        gateway.void(payment)\n        raise",
             "        raise", TWO_PHASE),
    Mutation(PAYMENT_FLOW_MODULE, "amount_captured=payment.amount_captured,",
             "amount_captured=order.total + 1,", TWO_PHASE),
    Mutation(PAYMENT_FLOW_MODULE, "        if not awaits_payment(locked):",
             "        if False:", TWO_PHASE),
    Mutation(PAYMENT_FLOW_MODULE,
             "        gateway.void(payment)\n        order.refresh_from_db()",
             "        order.refresh_from_db()", TWO_PHASE),
    # Reservations: released once, only when due, lines back in the cart.
    Mutation(RESERVATIONS_MODULE, "    release_stock(locked, reason=STOCK_REASONS[reason])\n",
             "\n", TWO_PHASE),
    Mutation(RESERVATIONS_MODULE,
             "if locked.status != OrderStatus.AWAITING_PAYMENT or awaits_payment(locked, now):",
             "if awaits_payment(locked, now):", TWO_PHASE),
    Mutation(RESERVATIONS_MODULE, "filter(payment_due_by__lte=now)",
             "filter(payment_due_by__gte=now)", TWO_PHASE),
    Mutation(RESERVATIONS_MODULE,
             "return cart.restore_to_cart(locked.customer, quantities, locked.voucher_code)",
             "return []", TWO_PHASE),
    # Payments: card checks, refunds bounded by what was captured, settled once.
    Mutation(REFUNDS_MODULE, "amount = detail.refundable_amount",
             "amount = order.subtotal", PAYMENTS),
    Mutation(REFUNDS_MODULE,
             "if detail.payment_status != PaymentStatus.AUTHORISED or amount <= 0:",
             "if amount <= 0:", PAYMENTS),
    Mutation(REFUNDS_MODULE, "        if pending is not None:\n            return pending",
             "        if False:\n            return pending", PAYMENTS),
    Mutation(REFUNDS_MODULE, "if totals.remaining <= 0:",
             "if totals.remaining < 0:", PAYMENTS),
    Mutation(REFUNDS_MODULE, "if refund.status == RefundStatus.SUCCEEDED:",
             "if False:", PAYMENTS),
    Mutation(REFUNDS_MODULE, "refund.status = RefundStatus.FAILED",
             "refund.status = RefundStatus.PENDING", PAYMENTS),
    Mutation(REFUNDS_MODULE,
             ").update(payment_status=PaymentStatus.PAID, amount_captured=order.total)",
             ").update(amount_captured=order.total)", PAYMENTS),
    # Order status: the transition table and what cancelling and paying do.
    Mutation(STATUS_MODULE,
             "OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.CANCELLED),",
             "OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.CANCELLED),",
             ORDER_STATUS),
    Mutation(STATUS_MODULE,
             "OrderStatus.PLACED: (OrderStatus.SHIPPED, OrderStatus.CANCELLED),",
             "OrderStatus.PLACED: (OrderStatus.PAID, OrderStatus.CANCELLED),", ORDER_STATUS),
    Mutation(STATUS_MODULE,
             "            release_stock(locked, reason=StockReason.CANCELLATION, user=user)",
             "            pass",
             ORDER_STATUS),
    Mutation(STATUS_MODULE, "            record_cash_collected(locked)",
             "            pass", ORDER_STATUS + ("tests/commerce/orders/test_invoices.py",)),
    Mutation(STATUS_MODULE,
             "            hide_reviews_no_longer_backed(locked, user=user)", "            pass",
             ORDER_STATUS),
    Mutation(STATUS_MODULE, "            if refund is not None:\n",
             "            if False:\n", ORDER_STATUS),
    # Cart: quantities, limits, the merge at log-in and the cart's row lock.
    Mutation(CART_MODULE, "if variant.stock is not None and quantity > variant.stock:",
             "if variant.stock is not None and quantity > variant.stock + 1:", CART),
    Mutation(CART_MODULE, "new_quantity = quantities.get(variant.pk, 0) + quantity",
             "new_quantity = quantity", CART),
    Mutation(CART_MODULE, "merged = min(wanted, _line_limit(variant))",
             "merged = min(wanted, MAX_QUANTITY)", CART),
    Mutation(CART_MODULE, "            if not variant.product.live or not variant.active:",
             "            if False:", CART),
    Mutation(CART_MODULE, "items.append(item)  # before saving: the repricing counts it",
             "pass", CART),
    Mutation(CART_MODULE, 'rows = rows.select_for_update(of=("self",))',
             "rows = rows.all()", RACES, postgres=True),
    # Vouchers: the stacking rule, the limits, what counts as a use, and the voucher's lock.
    Mutation("commerce/pricing.py", "if voucher_amount > bulk_amount:",
             "if voucher_amount >= bulk_amount:", VOUCHERS + PRICING),
    Mutation("commerce/pricing.py", "amount_before < voucher.minimum)",
             "amount_before <= voucher.minimum)", VOUCHERS + PRICING),
    Mutation("products/sales.py", "return regular if sale is None else sale", "return regular",
             SALES),
    Mutation("products/sales.py", "(ends_at is None or now < ends_at)",
             "(ends_at is None or True)", SALES),
    Mutation(VOUCHERS_MODULE, "uses >= voucher.usage_limit",
             "uses > voucher.usage_limit", VOUCHERS),
    Mutation(VOUCHERS_MODULE, "mine.count() >= voucher.per_customer_limit",
             "mine.count() > voucher.per_customer_limit", VOUCHERS),
    Mutation(VOUCHERS_MODULE, "USING_STATUSES = [OrderStatus.AWAITING_PAYMENT, *PLACED_OR_LATER]",
             "USING_STATUSES = [*OrderStatus]", VOUCHERS),
    Mutation(CHECKOUT_MODULE, "order.voucher = voucher if totals.voucher is not None else None",
             "order.voucher = voucher", VOUCHERS),
    Mutation(VOUCHERS_MODULE, "Voucher.objects.select_for_update() if lock",
             "Voucher.objects if lock", VOUCHERS, postgres=True),
]


class Stale(Exception):
    """A listed snippet is not found exactly once in its file."""


def occurrences(mutation, root=PROJECT_DIR):
    return (root / mutation.path).read_text().count(mutation.original)


@contextmanager
def mutated(mutation, root=PROJECT_DIR):
    """The file of `mutation` changed for the duration of the block, restored afterwards
    (byte for byte, with its modification time, so its cached bytecode stays valid)."""
    path = root / mutation.path
    source = path.read_text()
    found = source.count(mutation.original)
    if found != 1:
        raise Stale(f"{mutation.describe()}: the snippet is found {found} times, not once")
    stat = path.stat()
    try:
        path.write_text(source.replace(mutation.original, mutation.replacement))
        # A different time than the original's, so Python never takes its cached bytecode.
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))
        yield path
    finally:
        path.write_text(source)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def run_tests(tests):
    """pytest's exit code for `tests`, run in a fresh interpreter that caches no bytecode."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    if on_postgresql():
        # Keep the test database between runs (migrated, not rebuilt): seconds, not half a
        # minute, per mutation. SQLite's test database lives in memory and cannot be kept.
        command.append("--reuse-db")
    return subprocess.run(
        command, cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ).returncode


def on_postgresql():
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def parse_options(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.mutations", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--list", action="store_true", help="print the mutations and stop")
    parser.add_argument("--only", type=int, action="append", metavar="N",
                        help="run mutation N only (repeat for more)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the first run of the unchanged tests")
    return parser.parse_args(argv)


def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)  # so the `finally` restoring the file runs


def main(argv=None):
    options = parse_options(argv)
    numbered = list(enumerate(MUTATIONS, start=1))
    if options.list:
        for number, mutation in numbered:
            lock = " [PostgreSQL only]" if mutation.postgres else ""
            print(f"{number:3}. {mutation.describe()}{lock}")
            print(f"     tests: {' '.join(mutation.tests)}")
        return 0
    if options.only:
        unknown = [n for n in options.only if not 1 <= n <= len(MUTATIONS)]
        if unknown:
            print(f"No mutation numbered {unknown[0]}: there are {len(MUTATIONS)}.")
            return 2
        numbered = [(number, mutation) for number, mutation in numbered
                    if number in options.only]

    stale = [(number, mutation) for number, mutation in numbered if occurrences(mutation) != 1]
    if stale:
        for number, mutation in stale:
            print(f"{number:3}. stale     {mutation.describe()} "
                  f"(found {occurrences(mutation)} times, not once)")
        print("Not started: update the stale mutations in bench/mutations.py.")
        return 2

    skipped = [] if on_postgresql() else [n for n, m in numbered if m.postgres]
    runnable = [(number, mutation) for number, mutation in numbered if number not in skipped]
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if not options.no_baseline:
        tests = sorted({test for _number, mutation in runnable for test in mutation.tests})
        if run_tests(tests) != 0:
            print(f"Not started: the unchanged tests fail. Run: pytest {' '.join(tests)}")
            return 2

    caught, survived, errors = [], [], []
    for number, mutation in runnable:
        started = time.monotonic()
        with mutated(mutation):
            code = run_tests(mutation.tests)
        # 1: a test failed; 2: collection failed (the module no longer imports).
        if code in (1, 2):
            outcome = "caught"
            caught.append(number)
        elif code == 0:
            outcome = "SURVIVED"
            survived.append(number)
        else:
            outcome = f"error (pytest exit {code})"
            errors.append(number)
        seconds = time.monotonic() - started
        print(f"{number:3}. {outcome:9} {mutation.describe()} ({seconds:.0f}s)", flush=True)
    for number in skipped:
        print(f"{number:3}. skipped   {MUTATIONS[number - 1].describe()} (needs PostgreSQL: "
              "set DATABASE_URL)")

    summary = f"{len(caught)} of {len(runnable)} mutations caught"
    if skipped:
        summary += f" ({len(skipped)} skipped: they need PostgreSQL)"
    for label, numbers in (("survived", survived), ("errors", errors)):
        if numbers:
            summary += f"; {label}: {', '.join(map(str, numbers))}"
    print(summary)
    return 0 if len(caught) == len(runnable) else 1


if __name__ == "__main__":
    sys.exit(main())
