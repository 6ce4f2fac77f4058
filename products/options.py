"""The options a product's variants can differ by, defined once for the whole shop.

Each option is a typed, indexed column of ProductVariant: RAM and storage are whole numbers of
GB, so they sort and filter as numbers; colour is text. A variant's empty option means "as the
product's specs say" (a one-variant product needs none). A product lists the options its
active variants differ by (`differing_options`); those are what its page offers as a picker.
Adding an option is one entry here, a field on ProductVariant and its migration.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    field: str  # the ProductVariant column
    label: str  # what shoppers and staff read
    unit: str = ""  # for number options, e.g. "GB"
    spec: str = ""  # the product's spec block it refines, if any (see products.blocks)

    @property
    def is_number(self):
        return bool(self.unit)

    def display(self, value):
        """A value as shoppers read it: "16 GB", "1 TB", "Silver"."""
        if value in (None, ""):
            return ""
        if self.unit == "GB" and value >= 1024 and value % 1024 == 0:
            return f"{value // 1024} TB"
        return f"{value} {self.unit}" if self.unit else str(value)


RAM = Option("ram_gb", "RAM", "GB", spec="ram")
STORAGE = Option("storage_gb", "Storage", "GB", spec="storage")
COLOUR = Option("colour", "Colour")

OPTIONS = (RAM, STORAGE, COLOUR)
OPTION_FIELDS = tuple(option.field for option in OPTIONS)


def option_values(variant):
    """{option: value} of the options `variant` sets."""
    return {
        option: getattr(variant, option.field)
        for option in OPTIONS
        if getattr(variant, option.field) not in (None, "")
    }


def option_labels(variant, options=OPTIONS):
    """"16 GB RAM, 1 TB storage, Silver": the `options` a variant sets, for order lines."""
    parts = []
    for option in options:
        value = getattr(variant, option.field)
        if value in (None, ""):
            continue
        shown = option.display(value)
        parts.append(f"{shown} {option.label}" if option.is_number else shown)
    return ", ".join(parts)


def differing_options(variants):
    """The options whose values differ among `variants`, in OPTIONS order."""
    return [
        option for option in OPTIONS
        if len({getattr(variant, option.field) for variant in variants}) > 1
    ]
