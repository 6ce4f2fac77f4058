"""Spreadsheet exports that never carry a live formula (CSV and XLSX alike).

Customers type names, addresses and messages; staff open the exports in a spreadsheet
program, which runs a cell starting with = + - @ (or a tab or carriage return before one)
as a formula: `=HYPERLINK(...)` phishes, `=cmd|...` runs programs. Following OWASP's advice,
such a cell is written with a leading single quote, which spreadsheet programs show as text.
Every export of the shop goes through `neutralise_formula`; the admin listings get it
through `FormulaSafeExportMixin`.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_QUOTE = "'"


def neutralise_formula(value):
    """`value` as a spreadsheet cell that cannot run: text starting like a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return NEUTRALISING_QUOTE + value
    return value


def restore_neutralised(value):
    """Undo `neutralise_formula` for a cell read back from one of the shop's own exports."""
    if value.startswith(NEUTRALISING_QUOTE) and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


class FormulaSafeExportMixin:
    """For Wagtail's listing views (SpreadsheetExportMixin): every text cell is neutralised,
    after the view's own per-field or per-type preprocessing, in both CSV and XLSX."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
