"""The shop's tables in the Wagtail admin, built from Wagtail's own table components.

The snippet listings build theirs from `list_display`; the tables here are the ones on other
admin pages: the dashboard panels, a customer's latest orders and an order's lines.
"""

from django.template.defaultfilters import date as format_date
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, Table, TitleColumn

from commerce.pricing import format_money, stored_total_rows


class MoneyColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "" if value is None else format_money(value)


class RowHeaderColumn(Column):
    """A column whose cells head their row (`<th scope="row">`), for screen readers."""

    cell_template_name = "commerce/admin/tables/row_header_cell.html"


class RatingColumn(Column):
    """"4 out of 5", with a "Low" tag at or below `low_rating`."""

    cell_template_name = "commerce/admin/tables/rating_cell.html"

    def __init__(self, name, low_rating, **kwargs):
        super().__init__(name, **kwargs)
        self.low_rating = low_rating

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["low"] = context["raw_value"] <= self.low_rating
        return context


def order_status_column():
    return StatusTagColumn(
        "status", label="Status", accessor="get_status_display", primary=lambda order: True
    )


def recent_orders_table(rows):
    """The dashboard's latest orders; `rows` are (order, admin URL or None) pairs."""
    urls = dict(rows)
    return Table(
        [
            TitleColumn("number", label="Order", get_url=urls.get),
            Column("customer", label="Customer", accessor="customer_label"),
            order_status_column(),
            MoneyColumn("total", label="Total"),
            DateColumn("date_ordered", label="Ordered"),
        ],
        list(urls),
        classname="listing listing--dashboard",
    )


def reviews_table(rows, low_rating):
    """The dashboard's reviews awaiting attention; `rows` are (review, admin URL) pairs."""
    urls = dict(rows)
    return Table(
        [
            TitleColumn("product", label="Product", accessor="product.title", get_url=urls.get),
            Column("customer", label="Customer", accessor="customer.name"),
            RatingColumn("rating", label="Rating", low_rating=low_rating),
            DateColumn("created_at", label="Posted"),
        ],
        list(urls),
        classname="listing listing--dashboard",
    )


def daily_sales_table(series):
    """Revenue and orders per day, newest first: the sales chart as a table."""
    return Table(
        [
            RowHeaderColumn(
                "day", label="Day", accessor=lambda point: format_date(point.day, "D, F j")
            ),
            Column("orders", label="Orders"),
            MoneyColumn("revenue", label="Revenue"),
        ],
        list(reversed(series)),
        caption="Revenue and orders per day, last 30 days",
    )


def customer_orders_table(orders, order_url_name):
    """A customer's latest orders, each linked to the order's page."""
    return Table(
        [
            TitleColumn("number", label="Order", url_name=order_url_name),
            Column(
                "date_ordered",
                label="Placed",
                accessor=lambda order: format_date(order.date_ordered, "j M Y"),
            ),
            Column("status", label="Status", accessor="get_status_display"),
            MoneyColumn("total", label="Total"),
        ],
        orders,
    )


class OrderLinesTable(Table):
    """An order's lines, with its subtotal, discount, shipping, tax and total below them."""

    template_name = "commerce/admin/tables/order_lines_table.html"

    def __init__(self, order, items):
        super().__init__(
            [
                Column(
                    "product",
                    label="Product",
                    accessor=lambda item: (
                        f"{item.display_name} ({item.sale_note})" if item.sale_note
                        else item.display_name
                    ),
                ),
                MoneyColumn("unit_price", label="Unit price"),
                Column("quantity", label="Quantity"),
                MoneyColumn("line_total", label="Line total"),
            ],
            items,
        )
        self.order = order

    @property
    def totals(self):
        return [
            (label, f"−{format_money(-amount)}" if amount < 0 else format_money(amount))
            for label, amount in stored_total_rows(self.order)
        ]


def refunds_table(refunds):
    """An order's refunds: how much, why, by whom, when and whether the provider paid it."""
    return Table(
        [
            MoneyColumn("amount", label="Amount"),
            Column("reason", label="Reason", accessor=lambda refund: refund.reason or "—"),
            Column(
                "created_by",
                label="By",
                accessor=lambda refund: (
                    refund.created_by.get_full_name() or refund.created_by.get_username()
                )
                if refund.created_by
                else "the shop",
            ),
            DateColumn("created_at", label="When"),
            Column("status", label="Status", accessor="get_status_display"),
        ],
        refunds,
    )
