"""Forms that change the cart: add a product, change a quantity, remove a line."""

from django import forms

from commerce.cart.carts import NOT_FOR_SALE


class ProductIdField(forms.IntegerField):
    """A product page id. Page ids are 32-bit: a number outside cannot be a product (and would
    overflow the database query)."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": "Choose a product.",
        "invalid": "Choose a product.",
        "min_value": NOT_FOR_SALE,
        "max_value": NOT_FOR_SALE,
    }

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**31 - 1, **kwargs)


class VariantIdField(ProductIdField):
    """A variant's id: which configuration of the product; optional for a product sold in
    one."""

    default_error_messages = {"invalid": "Choose a configuration.", "required": "Choose a "
                              "configuration."}

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class CartLineForm(forms.Form):
    """A product, its variant and a quantity: all the cart takes from the browser (any price
    is ignored).

    Only whether the quantity is a whole number is checked here; commerce.cart.carts decides which
    quantities a line may have.
    """

    product = ProductIdField()
    variant = VariantIdField()
    quantity = forms.IntegerField(
        error_messages={
            "required": "Enter a quantity.",
            "invalid": "Enter the quantity as a whole number, for example 2.",
        },
    )

    def first_error(self):
        return next(iter(self.errors.values()))[0]


class RemoveLineForm(forms.Form):
    product = ProductIdField()
    variant = VariantIdField()


class VoucherForm(forms.Form):
    code = forms.CharField(
        label="Voucher code", max_length=40, strip=True,
        error_messages={"required": "Enter a voucher code.",
                        "max_length": "That is not a voucher code: check the code."},
    )
