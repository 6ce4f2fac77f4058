"""Gunicorn for the shop: `gunicorn -c config/gunicorn.conf.py` (serves config.wsgi).

Each setting can be changed from the environment; see "Deploying on PostgreSQL" in the README.
"""

import os

from gunicorn.http import wsgi as gunicorn_http


def available_cores():
    # The cores this process may run on (a container's CPU set), not the whole machine's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"

# Sync workers: one request at a time each. Gunicorn's rule of thumb, (2 x cores) + 1.
# Every worker keeps its own database connection; see "Scaling out" before raising it.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * available_cores() + 1)

# A request still running after `timeout` seconds gets its worker restarted; a restart or
# deploy lets running requests finish for up to `graceful_timeout` seconds.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
# Connections from the proxy are reused for a few seconds.
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down. A new worker
# spends over a second of CPU importing Django and Wagtail, and workers share the load evenly,
# so they reach the limit together: with 1000 (+ up to 100) every worker restarted at once
# every few seconds under load and the site stalled (see README, "Benchmarks"). A high limit
# with a wide jitter keeps restarts rare and spread out.
max_requests = 10_000
max_requests_jitter = 5_000



def _headers_without_server_banner(default_headers):
    def headers(response):
        return [line for line in default_headers(response) if not line.startswith("Server:")]

    headers.drops_server_banner = True
    return headers


# Gunicorn names itself in a `Server` header on every response and has no setting to stop
# it; telling attackers what runs the shop helps nobody else. Workers are forked from the
# process that reads this file, so they all inherit the change.
if not getattr(gunicorn_http.Response.default_headers, "drops_server_banner", False):
    gunicorn_http.Response.default_headers = _headers_without_server_banner(
        gunicorn_http.Response.default_headers
    )

accesslog = "-"
errorlog = "-"
loglevel = (os.environ.get("LOG_LEVEL") or "info").lower()

# Access and error logs as one JSON object per line on stdout, like the shop's own logs.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.json_logging.JsonFormatter"},
        "access": {"()": "config.json_logging.GunicornAccessFormatter"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        },
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "access",
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
