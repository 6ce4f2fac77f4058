"""A product's weight in kilograms, read from its feature specs (for shipping prices)."""

import re
from decimal import Decimal, InvalidOperation

# Kilograms per unit as staff write them in specs: "1.4 kg", "1400 g", "3.1 lb", "3 lbs".
UNIT_KG = {
    "kg": Decimal("1"), "kgs": Decimal("1"), "g": Decimal("0.001"),
    "lb": Decimal("0.45359237"), "lbs": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
}
WEIGHT_TEXT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*([a-z]*)\s*\.?\s*$", re.IGNORECASE)


def parse_weight_kg(value):
    """`value` (a Decimal in kg, as the weight block stores it, or text such as "1.4 kg",
    "1400 g", "3.1 lb") as a Decimal number of kg; None if it is no weight. Text without a
    unit is read as kg."""
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            kilograms = Decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            return None
        return kilograms if kilograms > 0 else None
    match = WEIGHT_TEXT.match(value)
    if match is None:
        return None
    number, unit = match.groups()
    factor = UNIT_KG.get(unit.lower() or "kg")
    if factor is None:
        return None
    kilograms = Decimal(number.replace(",", ".")) * factor
    return kilograms if kilograms > 0 else None


def product_weight_kg(features):
    """The weight in kg of a product with feature specs `features` (its StreamField): the
    weight spec, else an "Other feature" row labelled Weight; None if it has neither."""
    for child in features:
        if child.block_type == "weight":
            return parse_weight_kg(child.value)
    for child in features:
        if child.block_type == "feature" and child.value["label_text"].strip().lower() == "weight":
            return parse_weight_kg(child.value["value_text"])
    return None
