"""Live inventory: taking units off the shelf when an order is placed, putting them back.

Stock is counted per variant (the configuration a line sells); ProductVariant.stock is None for
variants whose stock is not tracked, and those are never short. The count is changed on locked
rows with F() expressions, through products.stock, the one module that writes it.
"""

from django.db import transaction
from django.db.models import F
from wagtail.log_actions import log

from commerce.orders.models import Order, OrderItem
from home.shared import page_cache
from products.ledger import StockReason
from products.stock import change_stock, lock_variants


class ProductUnavailable(Exception):
    """Some products of an order are no longer for sale."""

    def __init__(self, names):
        self.names = names
        listed = ", ".join(names)
        super().__init__(
            f"Sorry, {listed} {'is' if len(names) == 1 else 'are'} no longer for sale. "
            "Remove it from your cart to continue."
        )


class OutOfStock(Exception):
    """Not enough units left. `shortages` is a list of (variant, units available)."""

    def __init__(self, shortages):
        self.shortages = shortages
        parts = [
            f"{variant.display_name} is out of stock"
            if available == 0
            else f"only {available} of {variant.display_name} "
            f"{'is' if available == 1 else 'are'} left"
            for variant, available in shortages
        ]
        super().__init__(
            f"Sorry, {'; '.join(parts)}. Lower the quantity or remove it from your cart; "
            "nothing was ordered or charged."
        )


def reserve_stock(quantities, *, order):
    """Take units off the shelf for `order`, being placed. Call inside its transaction.

    `quantities` maps variant ids to units. Locks the products and variants, then refuses
    everything (ProductUnavailable, OutOfStock) unless every variant is active, of a live
    product, with enough stock, and otherwise decrements the tracked stock (a sale of `order`
    in the stock ledger). Returns {variant id: locked ProductVariant, with its product} with the
    prices and names current at this moment, for the order to snapshot.
    """
    variants = lock_variants(quantities)
    unavailable = [
        variants[pk].display_name if pk in variants else "a product"
        for pk in quantities
        if pk not in variants or not variants[pk].active or not variants[pk].product.live
    ]
    if unavailable:
        raise ProductUnavailable(unavailable)
    shortages = [
        (variants[pk], variants[pk].stock)
        for pk, units in quantities.items()
        if variants[pk].stock is not None and variants[pk].stock < units
    ]
    if shortages:
        raise OutOfStock(shortages)
    tracked = {pk: units for pk, units in quantities.items() if variants[pk].stock is not None}
    change_stock(tracked, sign=-1, reason=StockReason.SALE, order=order)
    for pk, units in tracked.items():
        variants[pk].stock -= units
    # update() sends no signal: pages showing the old stock go stale when the order commits.
    page_cache.invalidate_catalogue()
    return variants


def release_stock(order, *, reason, user=None):
    """Put back on the shelf the units a placed order took, once (for example when it is
    cancelled), recorded in the stock ledger with `reason` (StockReason.CANCELLATION or
    RESERVATION_EXPIRY) and the staff member `user`, if any.

    Exactly what checkout took comes back: each line's reserved_quantity, which is then
    zeroed, so a product whose stock was not tracked when it was sold gains nothing. Returns
    True if the order held its stock until now, False if it held none (a cart, or stock was
    released already). Products deleted since, or whose stock is no longer tracked, are
    skipped.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if not locked.stock_reserved:
            return False
        lines = locked.items.filter(variant__isnull=False, reserved_quantity__gt=0)
        quantities = {}
        for variant_id, units in lines.values_list("variant", "reserved_quantity"):
            quantities[variant_id] = quantities.get(variant_id, 0) + units
        _put_back(quantities, reason=reason, order=locked, user=user)
        locked.items.filter(reserved_quantity__gt=0).update(reserved_quantity=0)
        Order.objects.filter(pk=order.pk).update(stock_reserved=False)
        page_cache.invalidate_catalogue()
    order.stock_reserved = False
    return True


def _put_back(units_by_variant, *, reason, order, user):
    """Add units back to the variants whose stock is counted, under their row locks."""
    locked = lock_variants(units_by_variant)
    change_stock(
        {pk: units_by_variant[pk] for pk, variant in locked.items()
         if variant.stock is not None},
        sign=1,
        reason=reason, order=order, user=user,
    )


LOG_ACTION_RESTOCK = "commerce.restock"


class RestockRefused(Exception):
    """Units staff asked to put back that the order's lines did not take; str() says why."""


def check_restock(order, units_by_line):
    """Raise RestockRefused unless every line of `order` in `units_by_line` ({OrderItem id:
    units}) still holds that many units taken from the shelf. Returns the lines by id."""
    lines = {line.pk: line for line in order.items.filter(pk__in=units_by_line)}
    for line_id, units in units_by_line.items():
        line = lines.get(line_id)
        if line is None or units < 0:
            raise RestockRefused(f"{order} has no such line to put back in stock.")
        if units > line.reserved_quantity:
            raise RestockRefused(
                f"{line.display_name} took {line.reserved_quantity} "
                f"unit{'' if line.reserved_quantity == 1 else 's'} from the shelf that "
                f"{'is' if line.reserved_quantity == 1 else 'are'} not back yet, so "
                f"{units} cannot go back in stock."
            )
    return lines


def restock_lines(order, units_by_line, *, user=None):
    """Put back on the shelf `units_by_line` ({OrderItem id: units}) of the units `order`'s
    lines took at checkout (for example goods returned with a refund), never more than a line
    took: each line's reserved_quantity goes down by what comes back, so a later cancellation
    puts back only the rest. Raises RestockRefused, changing nothing, otherwise.

    Logged in the order's history with `user`. Units of variants deleted since, or whose stock
    is no longer tracked, are counted back on the line but add to no stock count.
    """
    units_by_line = {pk: units for pk, units in units_by_line.items() if units}
    if not units_by_line:
        return []
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        lines = check_restock(locked, units_by_line)
        quantities = {}
        for line_id, units in units_by_line.items():
            variant_id = lines[line_id].variant_id
            if variant_id is not None:
                quantities[variant_id] = quantities.get(variant_id, 0) + units
        _put_back(quantities, reason=StockReason.RETURN, order=locked, user=user)
        restocked = []
        for line_id, units in units_by_line.items():
            # update(): saving a line of a placed order would send the repricing signal.
            OrderItem.objects.filter(pk=line_id).update(
                reserved_quantity=F("reserved_quantity") - units
            )
            restocked.append({"product": lines[line_id].display_name, "units": units})
        if not locked.items.filter(reserved_quantity__gt=0).exists():
            Order.objects.filter(pk=order.pk).update(stock_reserved=False)
        log(locked, LOG_ACTION_RESTOCK, user=user, data={"lines": restocked})
        page_cache.invalidate_catalogue()
    return restocked
