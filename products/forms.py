"""The product editor's form, which tells an edited stock count from a stale one, and the
shopper's "Email me when it's back" form.

Stock is live inventory that checkout decrements, while the rest of a product page is
revisioned content (``ProductPage.with_content_json`` keeps the live count whenever a revision
is published). An editor's stock change is therefore written to the product row as soon as
they save, even a draft (see ``products.views``); and a form opened before some sales must not
put the old count back. The stock field carries the count the editor was shown
(``show_hidden_initial``), so the form knows whether the editor actually changed it.
"""

from django import forms
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel


class ProductPageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "stock" in self.fields:
            self.fields["stock"].show_hidden_initial = True

    @property
    def stock_was_edited(self):
        """True if the editor changed the stock field from the count they were shown."""
        return "stock" in self.fields and "stock" in self.changed_data

    def save(self, commit=True):
        product = self.instance
        if product.pk and "stock" in self.fields and not self.stock_was_edited:
            # The editor did not touch stock: keep what checkout left in the row, also in the
            # revision being saved and the page being previewed or published.
            product.stock = product.live_stock()
        return super().save(commit=commit)

    def get_field_updates_for_resave(self):
        # After a background save (autosave) the still-open editor must take the count it just
        # wrote as the one it was shown, or every later autosave would write it again.
        updates = super().get_field_updates_for_resave()
        if self.stock_was_edited:
            stock = self.cleaned_data["stock"]
            updates.append((self["stock"].html_initial_name, "" if stock is None else str(stock)))
        return updates


class StockFieldPanel(FieldPanel):
    """A FieldPanel that also renders the field's hidden initial value.

    Wagtail renders a panel's widget on its own, which drops the hidden ``initial-`` input Django
    adds for fields with ``show_hidden_initial``; ``ProductPageForm`` needs it to tell an edited
    stock count from a stale one.
    """

    class BoundPanel(FieldPanel.BoundPanel):
        def get_editable_context_data(self):
            context = super().get_editable_context_data()
            if self.bound_field.field.show_hidden_initial:
                context["rendered_field"] += self.bound_field.as_hidden(only_initial=True)
            return context


class BackInStockForm(forms.Form):
    """"Email me when it's back", on an out-of-stock product's page."""

    email = forms.EmailField(
        label="Your email", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def back_in_stock_form(request, product):
    """The form an out-of-stock product's page offers (None when it can be bought)."""
    if product.stock_state.can_buy:
        return None
    return visitors_back_in_stock_form(request)


def visitors_back_in_stock_form(request):
    """The form with a logged-in shopper's email filled in: its email field is a personal
    part of the cached product page, rendered for each visitor."""
    user = request.user
    return BackInStockForm(initial={"email": user.email if user.is_authenticated else ""})
