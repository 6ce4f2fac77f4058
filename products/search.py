"""A shopper's search text, as the search page and the catalogue API give it to the backend."""

# FTS5 (Wagtail's SQLite backend) quotes each word as "word" without escaping a quote inside
# it, so `13.4"` would end FTS5's string early: a syntax error, and a 500. Inside the quotes
# every other character, FTS5's operators (AND OR NOT NEAR * ^ : ( ) -) included, is text.
QUOTES = str.maketrans({'"': " "})


def search_words(text):
    """`text` as plain words for any Wagtail search backend: SQLite FTS5, PostgreSQL or a
    search cluster. Quotes are dropped (a quoted phrase is read as its words); "" when there
    is no word left to search for."""
    return " ".join(text.translate(QUOTES).split())
