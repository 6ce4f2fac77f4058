"""What a shopper is told about a product's stock: "In stock", "Only 3 left", "Out of stock".

The listing card, the product page and the add-to-cart form all show `stock_state`, so the
wording and the low-stock threshold (the product's own, else SHOP_LOW_STOCK_THRESHOLD) are
decided once. Whether a
quantity can really be bought is checked by the cart (commerce/cart.py) under a lock.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class StockState:
    """`kind` is "in", "low" or "out" (for styling); `label` is what the shopper reads."""

    kind: str
    label: str

    @property
    def can_buy(self):
        return self.kind != "out"


def low_stock_threshold(threshold=None):
    """The number of units at or below which a product is low on stock: its own `threshold`,
    or SHOP_LOW_STOCK_THRESHOLD when it has none."""
    return settings.SHOP_LOW_STOCK_THRESHOLD if threshold is None else threshold


def stock_state(stock, threshold=None):
    """The state of a product with `stock` units (None: stock is not tracked, always in) and
    its own low-stock `threshold` (None: the shop's default)."""
    if stock is not None and stock <= 0:
        return StockState("out", "Out of stock")
    if stock is not None and stock <= low_stock_threshold(threshold):
        return StockState("low", f"Only {stock} left")
    return StockState("in", "In stock")
