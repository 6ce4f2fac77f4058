import itertools
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.factories import make_image, make_product

pytestmark = pytest.mark.django_db


def found(response):
    return [product.title for product in response.context["search_results"]]


@pytest.fixture
def catalogue(product_index):
    make_product(
        product_index,
        "Lenovo Legion Pro 5",
        features=[
            ("brand", "Lenovo"),
            ("processor", "Intel Core i9-14900HX"),
            ("ram", 32),
            ("display", '16" 2560x1600 240 Hz'),
        ],
        tags=["gaming"],
        short_description="A fast laptop for late nights.",
    )
    make_product(
        product_index,
        "Apple MacBook Air 13",
        features=[("brand", "Apple"), ("processor", "Apple M3"), ("ram", 16)],
        tags=["ultralight", "student"],
        short_description="Thin, light and silent.",
    )
    make_product(
        product_index,
        "Framework Laptop 13",
        features=[
            ("brand", "Framework"),
            ("processor", "AMD Ryzen 7 7840U"),
            ("feature", {"label_text": "Ports", "value_text": "Expansion cards"}),
        ],
        tags=["repairable"],
    )
    return product_index


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("MacBook", ["Apple MacBook Air 13"]),  # name
        ("silent", ["Apple MacBook Air 13"]),  # description
        ("Ryzen", ["Framework Laptop 13"]),  # processor spec
        ("Expansion cards", ["Framework Laptop 13"]),  # an "other feature" spec value
        ("Lenovo", ["Lenovo Legion Pro 5"]),  # brand spec
        ("gaming", ["Lenovo Legion Pro 5"]),  # tag
        ("repairable", ["Framework Laptop 13"]),  # tag
    ],
)
def test_search_finds_products_by_name_description_spec_and_tag(client, catalogue, query, expected):
    response = client.get("/search/", {"query": query})

    assert response.status_code == 200
    assert found(response) == expected


def test_results_show_product_cards_with_prices(client, catalogue):
    html = client.get("/search/", {"query": "gaming"}).content.decode()

    assert "1 result for “gaming”" in html
    assert "Lenovo Legion Pro 5" in html
    assert "$999.00" in html


def test_an_empty_query_invites_the_shopper_to_type(client, catalogue):
    response = client.get("/search/", {"query": "   "})

    assert response.status_code == 200
    assert found(response) == []
    assert "Type a product name, brand, spec or tag" in response.content.decode()


def test_a_query_without_results_says_so(client, catalogue):
    response = client.get("/search/", {"query": "typewriter"})

    assert found(response) == []
    assert "No products match “typewriter”" in response.content.decode()


def test_the_query_is_escaped_in_the_page(client, catalogue):
    html = client.get("/search/", {"query": "<script>alert(1)</script>"}).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_unpublished_products_are_not_found(client, catalogue):
    make_product(catalogue, "Secret Gaming Prototype", tags=["gaming"], live=False)
    withdrawn = make_product(catalogue, "Withdrawn Gaming Book", tags=["gaming"])
    withdrawn.unpublish()

    response = client.get("/search/", {"query": "gaming"})

    assert found(response) == ["Lenovo Legion Pro 5"]


def test_results_are_paginated_and_keep_the_query(client, product_index):
    for number in range(30):
        make_product(product_index, f"Ultrabook {number:02}", tags=["ultralight"])

    first = client.get("/search/", {"query": "ultralight"})
    second = client.get("/search/", {"query": "ultralight", "page": "2"})

    assert len(found(first)) == 24
    assert len(found(second)) == 6
    assert set(found(first)).isdisjoint(found(second))
    assert '<a rel="next" href="?query=ultralight&amp;page=2">Next</a>' in first.content.decode()


def test_every_page_has_a_labelled_search_box_that_keeps_the_query(client, catalogue):
    html = client.get("/search/", {"query": "Ryzen"}).content.decode()

    assert '<form class="site-search" action="/search/" method="get" role="search">' in html
    assert '<label class="visually-hidden" for="site-search-query">Search products</label>' in html
    assert 'name="query" value="Ryzen"' in html
    assert 'role="search"' in client.get("/shop/").content.decode()


# Measured on this suite: the same bound holds however many products match.
SEARCH_QUERY_BOUND = 9


def test_result_pages_cost_the_same_queries_however_many_products_match(
    product_index, get_within_queries
):
    picture = make_image("Shared picture")
    for number in range(30):
        make_product(product_index, f"Ultrabook {number:02}", tags=["ultralight"], image=picture)

    response = get_within_queries("/search/", {"query": "ultralight"}, SEARCH_QUERY_BOUND)

    assert len(found(response)) == 24
    assert "srcset=" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the search index migration is PostgreSQL's"
)
def test_postgresql_search_can_use_an_index_for_what_it_matches(client, catalogue):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"query": "gaming"})
    assert found(response) == ["Lenovo Legion Pro 5"]
    # The expression the search backend matches the query against, as it sent it.
    sql = next(query["sql"] for query in queries if " @@ " in query["sql"])
    matched = re.search(r"WHERE .*?AND (\(.+?\)) @@ (\(to_tsquery\(.+?\)\))", sql)
    assert matched, sql

    with connection.cursor() as cursor:
        # On a three-product table a scan is cheaper: ask whether an index *can* serve it.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT id FROM wagtailsearch_indexentry WHERE {matched[1]} @@ {matched[2]}"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "products_search_title_body_gin" in plan


# What shoppers type: laptop screens are measured in inches ("), and some paste operators.
@pytest.mark.parametrize("query", ['13.4"', '"dell', 'dell 16"', '"', "NEAR(a b)", "a* ^b -c"])
def test_quotes_and_search_operators_are_read_as_words(client, catalogue, query):
    page = client.get("/search/", {"query": query})
    api = client.get("/api/v2/products/", {"search": query})

    assert page.status_code == 200
    assert found(page) == []
    assert api.status_code == 200
    assert api.json()["items"] == []


def test_a_quoted_screen_size_finds_the_laptop_with_that_screen(client, catalogue):
    page = client.get("/search/", {"query": 'Lenovo 16"'})
    api = client.get("/api/v2/products/", {"search": 'Lenovo 16"'})

    assert found(page) == ["Lenovo Legion Pro 5"]
    assert [item["title"] for item in api.json()["items"]] == ["Lenovo Legion Pro 5"]


def test_an_unknown_search_operator_in_the_api_is_a_clear_400(client, catalogue):
    response = client.get("/api/v2/products/", {"search": "dell", "search_operator": "xor"})

    assert response.status_code == 400
    assert response.json() == {"message": "search_operator must be 'and' or 'or'"}


FTS_OPERATORS = ["AND", "OR", "NOT", "NEAR", "*", "^", ":", "(", ")", "-", '"', "'", "+", "\\"]
shopper_text = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40),
    st.lists(st.sampled_from([*FTS_OPERATORS, "dell", "16", "13.4", "gaming"]), max_size=8).map(
        " ".join
    ),
    st.lists(st.sampled_from([*FTS_OPERATORS, "dell", "16"]), max_size=8).map("".join),
)


def assert_any_text_gives_a_results_page(client):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(text=shopper_text)
    @example(text='13.4"')
    @example(text="NEAR(dell AND 16) OR ^gaming*")
    def search(text):
        page = client.get("/search/", {"query": text})
        assert page.status_code == 200
        assert "search_results" in page.context
        api = client.get("/api/v2/products/", {"search": text})
        assert api.status_code == 200
        assert "items" in api.json()

    search()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 query syntax")
def test_any_text_gives_a_results_page_on_sqlite(client, catalogue):
    client.raise_request_exception = False
    assert_any_text_gives_a_results_page(client)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's tsquery syntax")
def test_any_text_gives_a_results_page_on_postgresql(client, catalogue):
    client.raise_request_exception = False
    assert_any_text_gives_a_results_page(client)


class HeadingLevels(HTMLParser):
    """Collects the level of every h1..h6 on a page, in document order."""

    def __init__(self):
        super().__init__()
        self.levels = []

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))


def heading_levels(html):
    parser = HeadingLevels()
    parser.feed(html)
    return parser.levels


@pytest.mark.parametrize("query", ["gaming", "", "no-such-laptop"])
def test_search_page_skips_no_heading_level(client, catalogue, query):
    levels = heading_levels(client.get("/search/", {"query": query}).content.decode())

    assert levels[0] == 1
    assert levels.count(1) == 1
    for previous, level in itertools.pairwise(levels):
        assert level <= previous + 1, f"h{previous} is followed by h{level}"


def test_search_results_heading_sits_between_the_page_title_and_the_cards(client, catalogue):
    levels = heading_levels(client.get("/search/", {"query": "gaming"}).content.decode())

    assert levels == [1, 2, 3]


@pytest.fixture
def dell(catalogue):
    return make_product(
        catalogue,
        "Dell XPS 13",
        features=[("brand", "Dell"), ("processor", "Intel Core Ultra 7 155H"), ("ram", 16)],
    )


@pytest.mark.parametrize("query", ["dell 16gb", "16GB dell", "ultra7", "Ultra7 155H"])
def test_search_forgives_numbers_written_against_their_units(client, dell, query):
    response = client.get("/search/", {"query": query})

    assert found(response) == ["Dell XPS 13"]
    assert "Did you mean" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "meant", "expected"),
    [
        ("lenvo", "lenovo", ["Lenovo Legion Pro 5"]),
        ("macbok air", "macbook air", ["Apple MacBook Air 13"]),
        ("Framwork", "framework", ["Framework Laptop 13"]),
        ("del 16gb", "dell 16 gb", ["Dell XPS 13"]),
    ],
)
def test_a_misspelt_word_finds_what_was_meant_and_says_did_you_mean(
    client, dell, query, meant, expected
):
    response = client.get("/search/", {"query": query})
    html = response.content.decode()

    assert found(response) == expected
    assert f"Did you mean <a href=\"?query={meant.replace(' ', '%20')}\">“{meant}”</a>?" in html
    assert f"results for “{meant}”" in html


def test_a_correctly_spelt_query_is_never_corrected(client, dell):
    # "legion" is a catalogue word; "lenovo legion" finds its laptop as typed.
    response = client.get("/search/", {"query": "Lenovo Legion"})

    assert found(response) == ["Lenovo Legion Pro 5"]
    assert "Did you mean" not in response.content.decode()


def test_nonsense_finds_nothing_and_suggests_nothing(client, dell):
    html = client.get("/search/", {"query": "qqqzzz"}).content.decode()

    assert "No products match “qqqzzz”" in html
    assert "Did you mean" not in html


def test_corrections_only_offer_words_of_products_shoppers_can_see(client, dell, catalogue):
    hidden = make_product(catalogue, "Zephyrus Secret Edition", features=[("brand", "Asus")])
    hidden.unpublish()

    html = client.get("/search/", {"query": "zephyros"}).content.decode()

    assert "Zephyrus" not in html and "zephyrus" not in html
    assert "No products match “zephyros”" in html
