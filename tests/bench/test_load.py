"""bench/load.py drives a real wrk against a server: what it counts as throughput."""

import shutil
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.load import LoadSettings, Scenario, measure

pytestmark = pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")

SHORT = LoadSettings(duration=1, connections=2, max_requests=300, latency_duration=1)


@contextmanager
def server_answering(status):
    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.send_header("Location", "/elsewhere/")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_scenario_answering_server_errors_is_reported_failed_not_as_throughput():
    with server_answering(500) as base_url:
        figures = measure(base_url, Scenario("broken page", "anonymous", ["/"]), SHORT)

    assert figures["requests"] > 0  # wrk was answered...
    assert figures["requests_per_second"] == 0  # ...but no answer counts as throughput
    assert "requests failed" in figures["failed"]


def test_redirects_a_form_answers_with_count_as_throughput():
    with server_answering(302) as base_url:
        figures = measure(base_url, Scenario("add to cart", "anonymous", ["/"]), SHORT)

    assert figures["requests_per_second"] > 0
    assert figures["failed"] == ""
