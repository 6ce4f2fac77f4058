"""The product editor's form, which tells an edited stock count of a variant from a stale
one, and the shopper's "Email me when it's back" form.

Stock is live inventory that checkout decrements, while the rest of a product page is
revisioned content (``ProductPage.with_content_json`` keeps the live count whenever a revision
is published). An editor's stock change is therefore written to the product row as soon as
they save, even a draft (see ``products.views``); and a form opened before some sales must not
put the old count back. The stock field carries the count the editor was shown
(``show_hidden_initial``), so the form knows whether the editor actually changed it.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.admin.panels.base import get_form_for_model

from .sales import sale_price_error
from .variants import can_be_bought


class ProductPageForm(WagtailAdminPageForm):
    """The product editor. Stock is per variant; see ProductVariantForm."""

    def variant_forms(self):
        formset = self.formsets.get("variants")
        return [] if formset is None else [
            form for form in formset.forms if form not in formset.deleted_forms
        ]

    def clean(self):
        cleaned_data = super().clean()
        # A variant at the product's price is checked against that price as edited here; one
        # with a price of its own checks its own sale price (ProductVariant.clean).
        price = cleaned_data.get("price")
        for form in self.variant_forms():
            variant = getattr(form, "cleaned_data", {})
            if "price" not in variant or variant["price"] is not None:
                continue
            error = sale_price_error(variant.get("sale_price"), price, "the product's price")
            if error:
                form.add_error("sale_price", error)
        return cleaned_data

    def edited_variant_stock(self):
        """{variant id: count} for the existing variants whose stock the editor changed."""
        return {
            form.instance.pk: form.cleaned_data["stock"]
            for form in self.variant_forms()
            if form.instance.pk and form.stock_was_edited
        }

    def save(self, commit=True):
        # Stock the editor did not touch keeps what checkout left in the row, also in the
        # revision being saved and the page being previewed or published; an edited count is
        # written by the view (products.views), through products.stock.
        live = self.instance.live_variant_stock()
        for form in self.variant_forms():
            if form.instance.pk in live:
                form.instance.stock = live[form.instance.pk]
        return super().save(commit=commit)

    def get_field_updates_for_resave(self):
        # After a background save (autosave) the still-open editor must take the counts it
        # just wrote as the ones it was shown, or every later autosave would write them again.
        updates = super().get_field_updates_for_resave()
        for form in self.variant_forms():
            if form.instance.pk and form.stock_was_edited:
                stock = form.cleaned_data["stock"]
                updates.append(
                    (form["stock"].html_initial_name, "" if stock is None else str(stock))
                )
        return updates


class ProductVariantForm(WagtailAdminModelForm):
    """One variant in the product editor. Its stock field carries the count the editor was
    shown (``show_hidden_initial``), so a form opened before some sales does not put the old
    count back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "stock" in self.fields:
            self.fields["stock"].show_hidden_initial = True

    @property
    def stock_was_edited(self):
        return "stock" in self.fields and "stock" in self.changed_data


class StockFieldPanel(FieldPanel):
    """A FieldPanel that also renders the field's hidden initial value.

    Wagtail renders a panel's widget on its own, which drops the hidden ``initial-`` input Django
    adds for fields with ``show_hidden_initial``; ``ProductVariantForm`` needs it to tell an
    edited stock count from a stale one.
    """

    class BoundPanel(FieldPanel.BoundPanel):
        def get_editable_context_data(self):
            context = super().get_editable_context_data()
            if self.bound_field.field.show_hidden_initial:
                context["rendered_field"] += self.bound_field.as_hidden(only_initial=True)
            return context


VARIANT_PANELS = [
    FieldPanel("sku"),
    FieldRowPanel([FieldPanel("ram_gb"), FieldPanel("storage_gb"), FieldPanel("colour")]),
    FieldRowPanel([FieldPanel("price"), FieldPanel("sale_price"), StockFieldPanel("stock")]),
    FieldPanel("image"),
    FieldPanel("active"),
]


class VariantsPanel(InlinePanel):
    """The product's variants, edited inline with ProductVariantForm."""

    def __init__(self, relation_name, panels=None, **kwargs):
        super().__init__(relation_name, panels=panels or VARIANT_PANELS, **kwargs)

    def get_form_options(self):
        options = super().get_form_options()
        # As InlinePanel builds its child form (required fields deferred for drafts), on
        # ProductVariantForm.
        deferred = self.child_edit_handler.get_form_options().get("defer_required_on_fields")
        options["formsets"][self.relation_name]["form"] = get_form_for_model(
            self.db_field.related_model, form_class=ProductVariantForm,
            **({"defer_required_on_fields": deferred} if deferred else {}),
        )
        return options


class BackInStockForm(forms.Form):
    """"Email me when it's back", on an out-of-stock product's page."""

    email = forms.EmailField(
        label="Your email", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def back_in_stock_form(request, product, variant=None):
    """The form the page of an out-of-stock product, or of a sold-out configuration `variant`
    of it, offers (None when it can be bought)."""
    if can_be_bought(product, variant):
        return None
    return visitors_back_in_stock_form(request)


def visitors_back_in_stock_form(request):
    """The form with a logged-in shopper's email filled in: its email field is a personal
    part of the cached product page, rendered for each visitor."""
    user = request.user
    return BackInStockForm(initial={"email": user.email if user.is_authenticated else ""})
