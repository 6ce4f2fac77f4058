"""A shopper's search text, as the search page and the catalogue API give it to the backend,
the forgiving fall-backs tried when it finds nothing, and what a failing search cluster
raises."""

import difflib
import functools
import importlib
import re

from home.shared import page_cache

# FTS5 (Wagtail's SQLite backend) quotes each word as "word" without escaping a quote inside
# it, so `13.4"` would end FTS5's string early: a syntax error, and a 500. Inside the quotes
# every other character, FTS5's operators (AND OR NOT NEAR * ^ : ( ) -) included, is text.
QUOTES = str.maketrans({'"': " "})
# Where a number meets a word written against it: "ultra7", or a unit after it as in "16gb"
# (specs write "16 GB"). A model number such as "155H" is left whole.
UNITS = "gb|tb|mb|ghz|mhz|hz|kg|g|lbs|lb|in|inch|mah|wh|w|mp|nits|ms"
LETTERS_MEET_DIGITS = re.compile(
    rf"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=(?:{UNITS})\b)", re.IGNORECASE
)
# How alike a typed word and a catalogue word must be to offer one for the other (difflib's
# ratio): "lenvo" and "lenovo" are 0.91, "dell" and "del" 0.86, "asus" and "acer" 0.5.
CLOSE_ENOUGH = 0.75
# Shorter words are left alone: at two letters every word is close to many others.
SHORTEST_CORRECTED = 3


def search_words(text):
    """`text` as plain words for any Wagtail search backend: SQLite FTS5, PostgreSQL or a
    search cluster. Quotes are dropped (a quoted phrase is read as its words); "" when there
    is no word left to search for."""
    return " ".join(text.translate(QUOTES).split())


def forgiving_queries(text, vocabulary):
    """The searches to try for `text`, in order, until one finds something: each is
    (words, corrected), where `corrected` says the words are a spelling correction the
    shopper should be told about ("did you mean").

    First the words as typed; then with numbers split from the words and units written
    against them ("16gb" → "16 gb", "ultra7" → "ultra 7"), as specs are written; then with
    each unknown word replaced by the closest word of the catalogue ("lenvo" → "lenovo").
    `vocabulary` is called only if that last step is reached. A query without words
    yields nothing.
    """
    words = search_words(text)
    if not words:
        return
    yield words, False
    split = LETTERS_MEET_DIGITS.sub(" ", words)
    if split != words:
        yield split, False
    corrected = correct_spelling(split, vocabulary())
    if corrected.lower() != split.lower():
        yield corrected, True


def correct_spelling(words, vocabulary):
    """`words` with each word the catalogue does not know replaced by the closest word it
    does, where one is close enough; numbers and short words are kept as typed."""
    known = set(vocabulary)
    corrected = []
    for word in words.split():
        lowered = word.lower()
        if lowered in known or len(lowered) < SHORTEST_CORRECTED or not lowered.isalpha():
            corrected.append(word)
            continue
        matches = difflib.get_close_matches(lowered, vocabulary, n=1, cutoff=CLOSE_ENOUGH)
        corrected.append(matches[0] if matches else word)
    return " ".join(corrected)


def catalogue_vocabulary(products):
    """The words shoppers search the catalogue by (product names, brands and tags of
    `products`), lower case, kept like the cached pages until the catalogue changes."""
    return page_cache.remember(("search vocabulary",), lambda: _vocabulary(products))


def _vocabulary(products):
    words = set()
    for title, brand in products.values_list("title", "brand"):
        words.update(f"{title} {brand}".lower().split())
    words.update(
        name.lower()
        for name in products.model.tags.through.objects.filter(
            content_object__in=products
        ).values_list("tag__name", flat=True)
    )
    return sorted(word for word in words if word.isalpha() and len(word) >= SHORTEST_CORRECTED)


# What each search cluster client raises when the cluster fails, answers with an error or is
# not reached in time (OpenSearch 2 and 3; Elasticsearch 7 to 9).
CLUSTER_CLIENT_ERRORS = [
    ("opensearchpy.exceptions", ["TransportError"]),
    ("elasticsearch.exceptions", ["TransportError", "ApiError"]),
]


@functools.cache
def search_cluster_errors():
    """The exceptions of the installed search cluster clients (CLUSTER_CLIENT_ERRORS); none
    on a shop without one, whose database backend fails like any other query."""
    errors = []
    for module_name, names in CLUSTER_CLIENT_ERRORS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        errors += [getattr(module, name) for name in names if hasattr(module, name)]
    return tuple(errors)
