"""What a shopper is told about a product's stock: "In stock", "Only 3 left", "Out of stock".

The listing card, the product page and the add-to-cart form all show `stock_state`, so the
wording and the low-stock threshold (SHOP_LOW_STOCK_THRESHOLD) are decided once. Whether a
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


def stock_state(stock):
    """The state of a product with `stock` units (None: stock is not tracked, always in)."""
    if stock is not None and stock <= 0:
        return StockState("out", "Out of stock")
    if stock is not None and stock <= settings.SHOP_LOW_STOCK_THRESHOLD:
        return StockState("low", f"Only {stock} left")
    return StockState("in", "In stock")
