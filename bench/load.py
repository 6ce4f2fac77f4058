"""The site under gunicorn, and wrk driving it: one scenario at a time, bounded in time and
number of requests."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
GUNICORN_CONFIG = PROJECT_DIR / "config" / "gunicorn.conf.py"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


@dataclass
class Scenario:
    """One row of the results: a page, as one kind of visitor sees it."""

    page: str
    visitor: str  # "static file", "anonymous", "anonymous, no page cache", "logged in"
    paths: list
    method: str = "GET"
    bodies: list = field(default_factory=list)
    cookies: list = field(default_factory=list)
    csrf_token: str = ""

    @property
    def name(self):
        return f"{self.page} ({self.visitor})"


@dataclass
class LoadSettings:
    duration: float = 3.0  # seconds of the loaded pass
    connections: int = 8
    max_requests: int = 50_000  # per wrk thread and pass
    latency_duration: float = 5.0  # seconds of the one-connection pass: ~100 samples at 50 ms


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_site(env, workers, log_path):
    """Start gunicorn on a free loopback port; yields its base URL and stops it afterwards."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application"]
    if GUNICORN_CONFIG.exists():
        command += ["--config", str(GUNICORN_CONFIG)]
    # No worker recycling during a run: a worker restarting mid-pass (max_requests in the
    # config guards against slow leaks in production) would measure its start-up instead.
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--max-requests", "0"]
    with serving(command, "gunicorn", env, log_path, port) as base_url:
        yield base_url


@contextmanager
def serving(command, name, env, log_path, port, ready_path="/", timeout=60, cwd=PROJECT_DIR):
    """Run the server `command` (`name` in errors, listening on loopback `port`) until the
    block ends; yields its base URL once `ready_path` answers 200. Stopped by process group."""
    with open(log_path, "ab") as log:
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base_url + ready_path, server, log_path, name, timeout)
        yield base_url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def wait_until_serving(url, server, log_path, name, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{name} exited with {server.returncode}; see {log_path}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within {timeout} s; see {log_path}")


def fetch(base_url, scenario):
    """One request as the scenario sends it: (status, headers)."""
    headers = {}
    if scenario.cookies:
        headers["Cookie"] = scenario.cookies[0]
    if scenario.csrf_token:
        headers["X-CSRFToken"] = scenario.csrf_token
    data = None
    if scenario.bodies:
        data = scenario.bodies[0].encode()
        headers["Content-Type"] = FORM_CONTENT_TYPE
    request = urllib.request.Request(
        base_url + scenario.paths[0], data=data, headers=headers, method=scenario.method
    )
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def ensure_wrk():
    """wrk from Debian's packages; installed with apt-get when missing and we are root."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is not installed. Install it (Debian/Ubuntu: apt-get install wrk).")
    print("Installing wrk with apt-get ...", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        subprocess.run(install, capture_output=True, check=True)


def run_wrk(base_url, scenario, duration, connections, max_requests):
    """Drive one scenario with wrk; returns its figures (latencies in milliseconds)."""
    env = {
        **os.environ,
        "BENCH_METHOD": scenario.method,
        "BENCH_PATHS": "\n".join(scenario.paths),
        "BENCH_BODIES": "\n".join(scenario.bodies),
        "BENCH_COOKIES": "\n".join(scenario.cookies),
        "BENCH_CSRF_TOKEN": scenario.csrf_token,
        "BENCH_MAX_REQUESTS": str(max_requests),
    }
    command = [
        "wrk", "--threads", "1", "--connections", str(connections),
        "--duration", f"{max(1, round(duration))}s", "--timeout", "10s",
        "--script", str(BENCH_DIR / "wrk.lua"), base_url + scenario.paths[0],
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    seconds = figures["duration_us"] / 1e6
    errors = sum(figures[name] for name in (
        "connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"
    ))
    # wrk counts an answer of 400 or above both as a request and as a status error: only
    # the others (2xx and 3xx, what a scenario's page or form answers) are throughput.
    successful = figures["requests"] - figures["status_errors"]
    return {
        "requests": figures["requests"],
        "successful": successful,
        "requests_per_second": round(successful / seconds, 1) if seconds else 0.0,
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "errors": errors,
    }


def throughput(base_url, scenario, load):
    """Warm up, then the loaded pass: its figures."""
    # A page's first answer may take seconds (its images' renditions made, the facets counted,
    # the page cache filled): waited for here, or the warm-up and loaded passes would only
    # queue behind it and measure nothing.
    fetch(base_url, scenario)
    run_wrk(base_url, scenario, 1, load.connections, load.max_requests)
    return run_wrk(base_url, scenario, load.duration, load.connections, load.max_requests)


def measure(base_url, scenario, load):
    """Warm up, then a loaded pass (throughput) and a one-connection pass (latency).
    `failed` says why the figures mean nothing when most requests failed, else ''."""
    loaded = throughput(base_url, scenario, load)
    time.sleep(1)  # lets the workers finish what the loaded pass left queued
    single = run_wrk(base_url, scenario, load.latency_duration, 1, load.max_requests)
    figures = {
        "requests_per_second": loaded["requests_per_second"],
        "p50_ms": single["p50_ms"],
        "p95_ms": single["p95_ms"],
        "loaded_p50_ms": loaded["p50_ms"],
        "loaded_p95_ms": loaded["p95_ms"],
        "requests": loaded["requests"] + single["requests"],
        "successful": loaded["successful"] + single["successful"],
        "errors": loaded["errors"] + single["errors"],
    }
    return {**figures, "failed": mostly_failed(figures["successful"], figures["errors"])}


def mostly_failed(successful, failed):
    """Why figures over `successful` and `failed` requests mean nothing, or ''."""
    if successful > failed:
        return ""
    if not successful + failed:
        return "no request was answered"
    return f"{failed} of {successful + failed} requests failed"
