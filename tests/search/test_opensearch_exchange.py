"""The shop on OpenSearch 3 (SEARCH_URL), against a recorded HTTP exchange.

No OpenSearch server can be installed where these tests run, so a small HTTP server on a
loopback port answers what Wagtail's `opensearch3` backend sends with what an OpenSearch 3
cluster answers (tests/search/recorded/, and its README for where their shape comes from),
and keeps every request. The settings, the client, Wagtail's backend and the shop's views
are the real ones; relevance and the cluster's own behaviour are not tested here.
"""

import io
import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import call_command

from config.env import env_list, search_config
from tests.factories import make_product, make_variants

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "recorded"
PAGE_INDEX = "storefront_wagtailcore_page"


def recorded(name, **values):
    """The recorded answer `name`, with its {index} and {id} placeholders filled in."""
    text = (RECORDED / name).read_text()
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return json.loads(text)


class ClusterRequestHandler(BaseHTTPRequestHandler):
    """Passes one request to the server's `answer` and sends back what it returns."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the client expects from a cluster

    def do_request(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        path, _, query = self.path.partition("?")
        request = {"method": self.command, "path": path, "query": query, "body": body}
        self.server.requests.append(request)
        status, answer = self.server.answer(request)
        data = b"" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_request

    def log_message(self, format, *args):
        pass


class RecordedCluster(ThreadingHTTPServer):
    """An OpenSearch 3 cluster on a free loopback port, answering from tests/search/recorded/:
    a fresh cluster (no index or alias yet) whose searches find `found_pks`. It keeps every
    request in `requests`, and those it has no recorded answer for in `unanswered`."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ClusterRequestHandler)
        self.requests = []
        self.unanswered = []
        self.found_pks = []
        self.failing = None  # a pattern: requests to matching paths are answered 503

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"

    def sent(self, method, path_pattern):
        """The requests received with `method` to a path matching `path_pattern`."""
        return [
            request
            for request in self.requests
            if request["method"] == method and re.fullmatch(path_pattern, request["path"])
        ]

    def answer(self, request):
        """(status, JSON body) for `request`, from the recorded answers."""
        if self.failing and re.search(self.failing, request["path"]):
            return 503, recorded("search_unavailable.json")
        method, path = request["method"], request["path"]
        parts = path.strip("/").split("/")
        index = parts[0]
        if method == "GET" and path == "/":
            return 200, recorded("root.json")
        if method == "HEAD":  # index or alias exists?: a fresh cluster has neither
            return 404, None
        if method == "DELETE" and len(parts) == 1:
            return 404, recorded("index_not_found.json", index=index)
        if method == "PUT" and len(parts) == 1:
            return 200, recorded("index_created.json", index=index)
        if method == "PUT" and parts[1:2] in (["_mapping"], ["_alias"]):
            return 200, recorded("acknowledged.json")
        if method == "POST" and parts[1:] == ["_refresh"]:
            return 200, recorded("refresh.json")
        if method in ("PUT", "POST") and parts[1:2] == ["_doc"]:
            return 201, recorded("document_indexed.json", index=index, id=parts[2])
        if method in ("PUT", "POST") and parts[-1] == "_bulk":
            return 200, self.bulk_answer(index, request["body"])
        if method in ("GET", "POST") and parts[1:] == ["_count"]:
            return 200, {**recorded("count.json"), "count": len(self.found_pks)}
        if method in ("GET", "POST") and parts[1:] == ["_search"]:
            return 200, self.search_answer()
        self.unanswered.append(request)
        return 400, {"error": f"not in the recorded exchange: {method} {path}", "status": 400}

    def bulk_answer(self, index, body):
        """The recorded _bulk answer, its one item repeated for each document sent."""
        answer = recorded("bulk.json")
        answer["items"] = [
            recorded("bulk.json", index=index, id=json.loads(action)["index"]["_id"])["items"][0]
            for action in body.splitlines()[::2]
        ]
        return answer

    def search_answer(self):
        """The recorded _search answer, its one hit repeated for each of `found_pks`."""
        answer = recorded("search.json")
        answer["hits"]["hits"] = [
            recorded("search.json", id=pk)["hits"]["hits"][0] for pk in self.found_pks
        ]
        answer["hits"]["total"]["value"] = len(self.found_pks)
        return answer


@pytest.fixture
def cluster():
    server = RecordedCluster()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def search_on(settings, url):
    """Configure search as config/settings/base.py does for the environment SEARCH_URL=url."""
    settings.WAGTAILSEARCH_BACKENDS = search_config(
        None, urls=env_list("SEARCH_URL", environ={"SEARCH_URL": url})
    )


@pytest.fixture
def on_opensearch(settings, cluster):
    search_on(settings, cluster.url)
    return cluster


@pytest.fixture
def legion(product_index):
    product = make_product(
        product_index,
        "Lenovo Legion Pro 5",
        features=[("brand", "Lenovo"), ("processor", "Intel Core i9-14900HX"), ("ram", 32)],
        tags=["gaming"],
        short_description="A fast laptop for late nights.",
    )
    make_variants(product, {"sku": "LEN-LEGION5-32", "price": "1499.00", "stock": 4})
    return product


def documents_sent_in_bulk(cluster):
    """Every document the cluster was sent through _bulk, by index name and document id."""
    documents = {}
    for request in cluster.sent("POST", r"/[^/]+/_bulk"):
        index = request["path"].split("/")[1]
        lines = request["body"].splitlines()
        for action, document in zip(lines[::2], lines[1::2], strict=True):
            documents[index, json.loads(action)["index"]["_id"]] = json.loads(document)
    return documents


def test_update_index_sends_each_product_with_its_searchable_fields_in_bulk(legion, on_opensearch):
    call_command("update_index", stdout=io.StringIO())

    [created] = [
        r["path"].strip("/") for r in on_opensearch.sent("PUT", rf"/{PAGE_INDEX}_[a-z0-9]+")
    ]
    assert json.loads(on_opensearch.sent("PUT", f"/{created}")[0]["body"])["settings"]["analysis"]
    document = documents_sent_in_bulk(on_opensearch)[created, str(legion.pk)]
    assert document["title"] == "Lenovo Legion Pro 5"
    assert "LEN-LEGION5-32" in document["products_productpage__variant_text"]
    assert document["products_productpage__brand"] == "Lenovo"
    assert "Intel Core i9-14900HX" in document["products_productpage__spec_text"]
    assert document["products_productpage__short_description"] == "A fast laptop for late nights."
    assert document["products_productpage__tags"] == [{"name": "gaming"}]
    assert document["live_filter"] is True
    # The new index replaces the old one under the name the shop searches.
    assert on_opensearch.sent("PUT", f"/{created}/_alias/{PAGE_INDEX}")
    assert on_opensearch.unanswered == []


def test_publishing_a_product_sends_it_to_opensearch(product_index, on_opensearch):
    product = make_product(product_index, "Framework Laptop 13", brand="Framework")

    sent = on_opensearch.sent("PUT", f"/{PAGE_INDEX}/_doc/{product.pk}")
    assert sent, [r["path"] for r in on_opensearch.requests]
    document = json.loads(sent[-1]["body"])
    assert document["title"] == "Framework Laptop 13"
    assert document["products_productpage__brand"] == "Framework"
    assert on_opensearch.unanswered == []


def test_search_page_shows_the_products_opensearch_finds(client, legion, on_opensearch):
    on_opensearch.found_pks = [legion.pk]

    response = client.get("/search/", {"query": "legion 32gb"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "1 result for “legion 32gb”" in html
    assert "Lenovo Legion Pro 5" in html
    assert legion.url in html
    [search] = on_opensearch.sent("POST", f"/{PAGE_INDEX}/_search")
    query = json.loads(search["body"])["query"]["bool"]
    assert query["must"]["multi_match"]["query"] == "legion 32gb"
    # Only live products are asked for.
    assert {"term": {"live_filter": True}} in query["filter"]
    assert on_opensearch.unanswered == []


def test_a_query_opensearch_finds_nothing_for_is_tried_forgivingly(client, legion, on_opensearch):
    response = client.get("/search/", {"query": "lenvo"})

    queries = [
        json.loads(r["body"])["query"]["bool"]["must"]["multi_match"]["query"]
        for r in on_opensearch.sent("POST", f"/{PAGE_INDEX}/_count")
    ]
    assert queries == ["lenvo", "lenovo"]
    assert "No products match “lenvo”" in response.content.decode()


def unreachable_url():
    """The address of a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def assert_search_is_down_page(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert "Search is not working at the moment" in html
    assert '<a href="/shop/">' in html
    assert 'name="query" value="legion"' in html
    assert "Lenovo Legion Pro 5" not in html


def test_search_page_says_search_is_down_when_opensearch_answers_503(
    client, legion, on_opensearch, caplog
):
    on_opensearch.failing = ".*"

    assert_search_is_down_page(client.get("/search/", {"query": "legion"}))
    assert on_opensearch.sent("POST", f"/{PAGE_INDEX}/_count")
    assert "Search cluster failed for the search page: TransportError(503" in caplog.text


def test_search_page_says_search_is_down_when_only_fetching_the_hits_fails(
    client, legion, on_opensearch
):
    on_opensearch.found_pks = [legion.pk]
    on_opensearch.failing = "/_search$"

    assert_search_is_down_page(client.get("/search/", {"query": "legion"}))
    assert on_opensearch.sent("POST", f"/{PAGE_INDEX}/_search")


def test_search_page_says_search_is_down_when_opensearch_is_unreachable(client, legion, settings):
    search_on(settings, unreachable_url())

    assert_search_is_down_page(client.get("/search/", {"query": "legion"}))


def test_products_can_be_published_while_opensearch_is_unreachable(product_index, settings, caplog):
    search_on(settings, unreachable_url())

    product = make_product(product_index, "Framework Laptop 13")

    product.refresh_from_db()
    assert product.live
    assert "Exception raised while adding" in caplog.text


def test_the_products_api_says_search_is_down_when_opensearch_is_unreachable(
    client, legion, settings
):
    search_on(settings, unreachable_url())

    searched = client.get("/api/v2/products/", {"search": "legion"})
    listed = client.get("/api/v2/products/")

    assert searched.status_code == 503
    assert searched.json() == {
        "message": "Search is not working at the moment; try again in a few minutes."
    }
    assert [item["title"] for item in listed.json()["items"]] == ["Lenovo Legion Pro 5"]


def test_the_products_api_searches_opensearch(client, legion, on_opensearch):
    on_opensearch.found_pks = [legion.pk]

    response = client.get("/api/v2/products/", {"search": 'legion 16"'})

    assert [item["title"] for item in response.json()["items"]] == ["Lenovo Legion Pro 5"]
    [search] = on_opensearch.sent("POST", f"/{PAGE_INDEX}/_search")
    assert (
        json.loads(search["body"])["query"]["bool"]["must"]["multi_match"]["query"] == "legion 16"
    )
