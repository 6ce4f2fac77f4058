"""PDF invoices for placed orders, drawn with ReportLab.

The invoice shows what the order stored when it was placed (who was billed, product names,
unit prices, subtotal, discount, total); nothing is recomputed here. Only the seller (legal
name, address, tax number, support email: home.shared.seller) is read as it is set now. Text is
set in DejaVu Sans, shipped in commerce/fonts/, so names and addresses outside Latin-1
(Łódź, Dvořák) print as written; PDF viewers get only the glyphs used.
"""

from functools import cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from commerce.orders.models import PLACED_OR_LATER
from commerce.payments.models import PaymentMethod
from commerce.pricing import format_money, line_total, stored_total_rows
from home.shared.seller import current_seller

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
BOLD_FONT = "DejaVuSans-Bold"


class NotInvoiceable(ValueError):
    """Raised for orders that have no invoice: carts and cancelled orders."""


def render_invoice_pdf(order):
    """Return the PDF invoice of a placed (or later) order as bytes."""
    if order.status not in PLACED_OR_LATER:
        raise NotInvoiceable(f"{order} is {order.get_status_display().lower()}; it has no invoice.")
    _register_fonts()
    styles = _styles()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Invoice {order.number}",
        author=settings.WAGTAIL_SITE_NAME,
    )
    detail = getattr(order, "checkout_detail", None)
    seller = current_seller()
    document.build(
        [
            Paragraph(escape(seller.name), styles["shop"]),
            Paragraph("<br/>".join(escape(line) for line in _seller_lines(seller)), styles["body"]),
            Paragraph(f"Invoice {escape(order.number)}", styles["title"]),
            _facts_table(order, detail, styles),
            Spacer(1, 8 * mm),
            _lines_table(order, styles),
            Spacer(1, 4 * mm),
            _totals_table(order),
            Spacer(1, 10 * mm),
            Paragraph(
                f"Thank you for shopping at {escape(settings.WAGTAIL_SITE_NAME)}.", styles["body"]
            ),
        ]
    )
    return buffer.getvalue()


def invoice_filename(order):
    return f"invoice-{order.number}.pdf"


def _seller_lines(seller):
    lines = list(seller.address_lines)
    if seller.tax_number:
        lines.append(f"Tax number: {seller.tax_number}")
    if seller.support_email:
        lines.append(f"Support: {seller.support_email}")
    return lines


def _facts_table(order, detail, styles):
    ordered = date_format(timezone.localtime(order.date_ordered), "F j, Y")
    billed = [order.billing_name, order.billing_email, *order.billing_address.splitlines()]
    shipped = detail.postal_lines if detail else []
    facts = [
        [_block("Invoice number", [order.number], styles), _block("Bill to", billed, styles)],
        [_block("Order date", [ordered], styles), _block("Ship to", shipped, styles)],
        [_block("Payment", [_payment_summary(detail)], styles), ""],
    ]
    table = Table(facts, colWidths=["50%", "50%"])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _lines_table(order, styles):
    rows = [["Product", "Unit price", "Qty", "Line total"]]
    for item in order.items.all():
        rows.append(
            [
                Paragraph(escape(invoice_line_name(item)), styles["body"]),
                format_money(item.unit_price),
                str(item.quantity),
                format_money(line_total(item.unit_price, item.quantity)),
            ]
        )
    table = Table(rows, colWidths=["52%", "18%", "10%", "20%"], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("FONT", (0, 0), (-1, 0), BOLD_FONT, 10),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _totals_table(order):
    rows = [
        [label, f"-{format_money(-amount)}" if amount < 0 else format_money(amount)]
        for label, amount in stored_total_rows(order)
    ]
    table = Table(rows, colWidths=["80%", "20%"])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("FONT", (0, -1), (-1, -1), BOLD_FONT, 12),
                ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
            ]
        )
    )
    return table


def _block(heading, lines, styles):
    text = "<br/>".join(escape(line) for line in lines if line)
    return [Paragraph(escape(heading), styles["heading"]), Paragraph(text, styles["body"])]


def _payment_summary(detail):
    if detail is None:
        return ""
    if detail.payment_method == PaymentMethod.CARD and detail.card_last4:
        method = f"{detail.card_brand or 'Card'} ending {detail.card_last4}"
    else:
        method = detail.get_payment_method_display()
    return f"{method} ({detail.get_payment_status_display().lower()})"


@cache
def _register_fonts():
    for name in (FONT, BOLD_FONT):
        pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / f"{name}.ttf")))


def _styles():
    return {
        "shop": ParagraphStyle("shop", fontName=BOLD_FONT, fontSize=12, leading=16),
        "title": ParagraphStyle(
            "title", fontName=BOLD_FONT, fontSize=20, leading=26, spaceAfter=6 * mm
        ),
        "heading": ParagraphStyle(
            "heading", fontName=BOLD_FONT, fontSize=9, leading=12, textColor=colors.grey
        ),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13, spaceAfter=3 * mm),
    }


def invoice_line_name(item):
    """What an invoice line says it sold: the product with its options, the SKU, and the
    regular price of a line sold at a sale price."""
    name = f"{item.display_name} · SKU {item.sku}" if item.sku else item.display_name
    return f"{name} ({item.sale_note})" if item.sale_note else name
