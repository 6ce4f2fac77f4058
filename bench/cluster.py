"""The production shape on one machine: nginx in front of several gunicorn app servers,
PgBouncer (transaction pooling) in front of PostgreSQL, one Redis, `db_worker` task workers
and the scheduled jobs, all on loopback ports picked at start and stopped by PID.

`Cluster` starts and stops it (tests/cluster uses it); `python -m bench.cluster` (or
`make cluster`) measures the pages with one app server behind nginx and then with two, side
by side, and prints the scaling ratio. See README, "Scaling out".
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from bench.load import GUNICORN_CONFIG, free_port, wait_until_serving

PROJECT_DIR = Path(__file__).resolve().parent.parent
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
DEBIAN_PACKAGES = {"nginx": "nginx", "pgbouncer": "pgbouncer", "redis-server": "redis-server"}
# What the README says to run on a schedule: (command, every how many seconds in production).
SCHEDULED_JOBS = [("release_expired_reservations", 60), ("clear_expired_carts", 24 * 3600)]


def missing_programs():
    """The outside programs the cluster needs that are not installed, as a sentence or ''."""
    missing = [name for name in DEBIAN_PACKAGES if not shutil.which(name)]
    if not shutil.which("nginx") and Path("/usr/sbin/nginx").exists():
        missing.remove("nginx")
    return f"{', '.join(missing)} not installed" if missing else ""


def postgres_unreachable():
    """Why PostgreSQL on 127.0.0.1:5432 cannot be used, or ''."""
    import psycopg

    try:
        psycopg.connect(dbname="postgres", connect_timeout=3, **POSTGRES).close()
    except psycopg.Error as error:
        return f"PostgreSQL on 127.0.0.1:5432 does not answer ({error.__class__.__name__})"
    return ""


def ensure_programs():
    """Install nginx, PgBouncer and Redis from Debian's packages when missing and we are root."""
    if not missing_programs():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"{missing_programs()}: apt-get install nginx pgbouncer redis-server")
    install = ["apt-get", "install", "-y", "-q", *DEBIAN_PACKAGES.values()]
    if subprocess.run(install, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=False)
        subprocess.run(install, capture_output=True, check=True)


def nginx_program():
    return shutil.which("nginx") or "/usr/sbin/nginx"


class Cluster:
    """Every process of the shop's production shape, on loopback. Use as a context manager:
    everything it started is stopped by PID when the block ends, whatever happened."""

    def __init__(self, database, app_servers=2, gunicorn_workers=2, task_workers=1,
                 schedule_seconds=60, work_dir=None):
        self.database = database
        self.app_server_count = app_servers
        self.gunicorn_workers = gunicorn_workers
        self.task_worker_count = task_workers
        self.schedule_seconds = schedule_seconds
        self.work = Path(work_dir or tempfile.mkdtemp(prefix="storefront-cluster-"))
        # nginx and PgBouncer drop root for "nobody"/"postgres": they must read this folder.
        self.work.chmod(0o755)
        self.processes = {}  # name -> Popen, in start order
        self.app_servers = {}  # name -> base URL
        self.ports = {name: free_port() for name in ("redis", "pgbouncer", "nginx")}
        self.url = f"http://127.0.0.1:{self.ports['nginx']}"
        self.scheduled_runs = []  # (command, exit status)
        self._stop_schedule = threading.Event()
        self._scheduler = None
        self.env = self._environment()

    # -- environment -------------------------------------------------------------------------

    def _environment(self):
        email_dir = self.work / "emails"
        email_dir.mkdir(exist_ok=True)
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            # Every app server through PgBouncer, in transaction mode (config/env.py).
            "DATABASE_URL": self.database_url(pooled=True),
            "DATABASE_POOLER": "transaction",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,shop.example.com",
            "SHOP_BASE_URL": "https://shop.example.com",
            # nginx here listens on plain HTTP on loopback: no TLS to redirect to.
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            "LOG_JSON": "false",
            "TASKS_BACKEND": "database",
            # Each email the workers send is written to a file of its own (bench/settings.py).
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "BENCH_EMAIL_DIR": str(email_dir),
            "MEDIA_ROOT": str(PROJECT_DIR / "bench" / "work" / "media" / self.database),
            "BENCH_STATIC_ROOT": str(PROJECT_DIR / "bench" / "work" / "static"),
            "PYTHONUNBUFFERED": "1",
        }

    def database_url(self, pooled):
        port = self.ports["pgbouncer"] if pooled else POSTGRES["port"]
        return f"postgres://postgres@127.0.0.1:{port}/{self.database}"

    @property
    def email_dir(self):
        return Path(self.env["BENCH_EMAIL_DIR"])

    # -- start and stop ----------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self, prepare=None):
        """Start every part. `prepare(cluster)` runs once the database is migrated, before
        any app server takes a request (e.g. to seed a catalogue)."""
        self.start_redis()
        self.start_pgbouncer()
        self.prepare_database()
        if prepare:
            prepare(self)
        self.start_app_servers([f"app{n}" for n in range(1, self.app_server_count + 1)])
        self.start_nginx()
        for number in range(1, self.task_worker_count + 1):
            self.start_task_worker(f"worker{number}")
        self._scheduler = threading.Thread(target=self._run_schedule, daemon=True)
        self._scheduler.start()

    def stop(self):
        self._stop_schedule.set()
        if self._scheduler:
            self._scheduler.join(timeout=60)
        for name in reversed(list(self.processes)):
            self.stop_process(name)

    def _spawn(self, name, command, env=None):
        with open(self.work / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=env or self.env, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.processes[name] = process
        return process

    def stop_process(self, name, sig=signal.SIGTERM):
        """Stop one part by its process group (gunicorn's and nginx's workers with it)."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        except ProcessLookupError:
            pass

    def kill(self, name):
        """SIGKILL a part, as a machine that dies would: no goodbye to anyone."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        del self.processes[name]
        self.app_servers.pop(name, None)

    def log_tail(self, name, lines=30):
        path = self.work / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # -- the parts ---------------------------------------------------------------------------

    def start_redis(self):
        self._spawn("redis", [
            "redis-server", "--port", str(self.ports["redis"]), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no", "--dir", str(self.work),
        ])
        self._wait_for_port("redis", self.ports["redis"])

    def start_pgbouncer(self):
        config = self.work / "pgbouncer.ini"
        users = self.work / "pgbouncer-users.txt"
        users.write_text('"postgres" ""\n')
        run_as = "user = postgres\n" if os.geteuid() == 0 else ""
        config.write_text(
            "[databases]\n"
            f"{self.database} = host={POSTGRES['host']} port={POSTGRES['port']} "
            f"dbname={self.database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.ports['pgbouncer']}\n"
            "unix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            "pool_mode = transaction\n"
            "max_client_conn = 500\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"{run_as}"
        )
        for path in (config, users):
            path.chmod(0o644)
        self._spawn("pgbouncer", ["pgbouncer", str(config)])
        self._wait_for_port("pgbouncer", self.ports["pgbouncer"])

    def restart_pgbouncer(self, down_seconds=1.0):
        """Stop PgBouncer at once (every client connection cut), wait, start it again."""
        self.stop_process("pgbouncer", signal.SIGTERM)
        time.sleep(down_seconds)
        self._spawn("pgbouncer", ["pgbouncer", str(self.work / "pgbouncer.ini")])
        self._wait_for_port("pgbouncer", self.ports["pgbouncer"])

    def prepare_database(self):
        """A fresh database, migrated (straight to PostgreSQL, as a release would), with the
        demo shop and the static files."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.database)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.database)))
        direct = {**self.env, "DATABASE_URL": self.database_url(pooled=False),
                  "DATABASE_POOLER": "", "TASKS_BACKEND": "immediate"}
        for command in (["migrate", "--noinput"], ["seed_demo"],
                        ["collectstatic", "--noinput"]):
            self.manage(*command, env=direct)

    def drop_database(self):
        import psycopg
        from psycopg import sql

        with psycopg.connect(dbname="postgres", autocommit=True, **POSTGRES) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(self.database)))

    def start_app_servers(self, names):
        """Start gunicorn servers side by side; returns once every one answers /readyz."""
        started = {}
        for name in names:
            port = free_port()
            self._spawn(name, [
                sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONFIG),
                "--bind", f"127.0.0.1:{port}", "--workers", str(self.gunicorn_workers),
                "--max-requests", "0",
            ])
            started[name] = f"http://127.0.0.1:{port}"
        for name, base_url in started.items():
            wait_until_serving(base_url + "/readyz", self.processes[name],
                               self.work / f"{name}.log", name, timeout=90)
            self.app_servers[name] = base_url

    def start_nginx(self, servers=None):
        """nginx on its port, balancing over `servers` (names; all app servers by default)."""
        servers = servers or list(self.app_servers)
        upstreams = "".join(
            f"        server {self.app_servers[name].removeprefix('http://')} "
            "max_fails=1 fail_timeout=10s;\n"
            for name in servers
        )
        temp = self.work / "nginx-temp"
        temp.mkdir(exist_ok=True)
        config = self.work / "nginx.conf"
        config.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"daemon off;\nworker_processes 2;\npid {self.work}/nginx.pid;\n"
            f"error_log {self.work}/nginx-error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n"
            "    access_log off;\n    server_tokens off;\n"
            f"    client_body_temp_path {temp}/body;\n    proxy_temp_path {temp}/proxy;\n"
            f"    fastcgi_temp_path {temp}/fastcgi;\n    uwsgi_temp_path {temp}/uwsgi;\n"
            f"    scgi_temp_path {temp}/scgi;\n"
            # Round robin (nginx's default); a server that refuses connections is skipped.
            "    upstream shop {\n" + upstreams + "        keepalive 32;\n    }\n"
            "    server {\n"
            f"        listen 127.0.0.1:{self.ports['nginx']};\n"
            "        location / {\n"
            "            proxy_pass http://shop;\n"
            "            proxy_http_version 1.1;\n"
            '            proxy_set_header Connection "";\n'
            "            proxy_set_header Host $host;\n"
            "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "            proxy_set_header X-Forwarded-Proto $scheme;\n"
            "            proxy_connect_timeout 2s;\n"
            # Tell which server answered, so tests can see the requests being spread.
            "            add_header X-Upstream $upstream_addr always;\n"
            "        }\n    }\n}\n"
        )
        self._spawn("nginx", [nginx_program(), "-p", str(self.work), "-c", str(config),
                              "-e", str(self.work / "nginx-error.log")])
        wait_until_serving(self.url + "/readyz", self.processes["nginx"],
                           self.work / "nginx-error.log", "nginx", timeout=30)

    def balance_over(self, servers):
        """Restart nginx in front of just these app servers (the others keep running)."""
        self.stop_process("nginx")
        self.start_nginx(servers)

    def start_task_worker(self, name):
        self._spawn(name, [sys.executable, "manage.py", "db_worker", "--interval", "0.5",
                           "--no-startup-delay", "--worker-id", f"{name}-{self.database}"])

    def _run_schedule(self):
        """The scheduled jobs, as cron would run them: each once at start, then every
        `schedule_seconds` (production: every minute, and daily)."""
        while True:
            for command, _production_interval in SCHEDULED_JOBS:
                result = subprocess.run(
                    [sys.executable, "manage.py", command], cwd=PROJECT_DIR, env=self.env,
                    capture_output=True, text=True,
                )
                self.scheduled_runs.append((command, result.returncode))
                with open(self.work / "schedule.log", "a") as log:
                    log.write(f"{command}: exit {result.returncode}\n")
                    log.write(result.stdout + result.stderr)
            if self._stop_schedule.wait(self.schedule_seconds):
                return

    def _wait_for_port(self, name, port, timeout=20):
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited at start:\n{self.log_tail(name)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"{name} did not listen on {port} within {timeout} s")

    # -- running Django code against the cluster's database -----------------------------------

    def manage(self, *args, env=None):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env or self.env,
            capture_output=True, text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
            )
        return result.stdout

    def python(self, code):
        """Run `code` in one long-lived Django process on the cluster's database (through
        PgBouncer); the code sets `result`, which comes back decoded from JSON."""
        if "shell" not in self.processes:
            self.processes["shell"] = subprocess.Popen(
                [sys.executable, "-c", SHELL_PROGRAM], cwd=PROJECT_DIR, env=self.env,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                start_new_session=True,
            )
        shell = self.processes["shell"]
        shell.stdin.write(json.dumps(code) + "\n")
        shell.stdin.flush()
        answer = json.loads(shell.stdout.readline() or '{"error": "the shell exited"}')
        if "error" in answer:
            raise RuntimeError(f"cluster code failed:\n{answer['error']}")
        return answer["result"]


# Reads one JSON-encoded snippet a line, runs it, answers one JSON line: {"result": ...}.
SHELL_PROGRAM = """
import json, sys, traceback
import django
django.setup()
from django.db import connection
for line in sys.stdin:
    scope = {"result": None}
    try:
        exec(json.loads(line), scope)
        answer = {"result": scope["result"]}
    except Exception:
        answer = {"error": traceback.format_exc()}
    finally:
        connection.close()
    print(json.dumps(answer), flush=True)
"""


class Browser:
    """One shopper's browser: keeps its cookies (whatever their Secure flag: the cluster is
    plain HTTP on loopback), sends the CSRF token, follows no redirect."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.cookies = {}

    def request(self, method, url, form=None, timeout=30):
        """(status, headers, body text); `url` is a path on base_url or a full URL."""
        full = url if url.startswith("http") else self.base_url + url
        host, _, path = full.split("://", 1)[1].partition("/")
        path = "/" + path
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        hostname, _, port = host.partition(":")
        connection = http.client.HTTPConnection(hostname, int(port or 80), timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ('""', "") or "max-age=0" in value.lower():
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = cookie_value
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, form, **kwargs):
        return self.request("POST", url, form=form, **kwargs)


class _FormReader(HTMLParser):
    """The fields of every form on a page, as a browser would submit them untouched
    (a Wagtail StreamField included, as the editor's script would post it)."""

    def __init__(self):
        super().__init__()
        self.forms = []  # (action, {name: value})
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or "", {}))
        if not self.forms:
            return
        fields = self.forms[-1][1]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "image"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in self.forms[-1][1]:
                fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "div" and attrs.get("data-controller") == "w-block":
            # The editor's script builds a StreamField's inputs from the state in this div.
            state, _errors = json.loads(attrs["data-w-block-arguments-value"])
            fields.update(block_fields(attrs["id"], state))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea] += data


def block_fields(prefix, state):
    """The inputs Wagtail's editor posts for a block's form state: a stream's or a list's
    children (with count, order and deletion flags), a struct's fields, or a plain value.
    (Chooser blocks, whose state is a dict about the chosen object, are not handled.)"""
    if isinstance(state, list):
        fields = {f"{prefix}-count": len(state)}
        for number, child in enumerate(state):
            child_prefix = f"{prefix}-{number}"
            fields.update({f"{child_prefix}-deleted": "", f"{child_prefix}-order": number,
                           f"{child_prefix}-id": child.get("id") or ""})
            if "type" in child:  # a stream's child; a list's has none
                fields[f"{child_prefix}-type"] = child["type"]
            fields.update(block_fields(f"{child_prefix}-value", child["value"]))
        return fields
    if isinstance(state, dict):
        return {
            name: value
            for key, child_state in state.items()
            for name, value in block_fields(f"{prefix}-{key}", child_state).items()
        }
    if state is False:  # an unticked checkbox posts nothing
        return {}
    return {prefix: "on" if state is True else "" if state is None else state}


def form_fields(page_html, containing):
    """The fields of the page's first form that has a field named `containing`."""
    reader = _FormReader()
    reader.feed(page_html)
    for _action, fields in reader.forms:
        if containing in fields:
            return dict(fields)
    raise LookupError(f"no form with a {containing!r} field on the page")


def add_to_cart(browser, product_id, quantity=1, variant_id=None):
    """POST the add-to-cart form (of one configuration, when the product has several);
    (status, the app server that answered)."""
    if "csrftoken" not in browser.cookies:
        browser.get("/accounts/login/")  # any page with a form hands out the CSRF cookie
    form = {"product": product_id, "quantity": quantity}
    if variant_id is not None:
        form["variant"] = variant_id
    status, headers, _body = browser.post("/cart/add/", form)
    return status, headers.get("x-upstream")


def cart_quantities(browser):
    """{product id: quantity} as the cart page shows it."""
    _status, _headers, body = browser.get("/cart/")
    return {
        int(pk): int(quantity)
        # Each line's update form: its product's id, then its quantity field.
        for pk, quantity in re.findall(
            r'name="product" value="(\d+)">(?:(?!</form>).)*?name="quantity" value="(\d+)"',
            body, re.DOTALL,
        )
    }


def submit_checkout(browser, email, form=None):
    """Fill and send the guest checkout form, paying cash on delivery. Returns
    (outcome, form) with outcome "order", "out of stock" or "other: <status> (<errors>)";
    `form` is what was sent, to send again with the same checkout token."""
    if form is None:
        form, failure = checkout_form(browser, email)
        if form is None:
            return failure, None
    return place_checkout(browser, form), form


def checkout_form(browser, email):
    """The guest checkout form filled in, paying cash on delivery, with the totals updated
    for the address as "Update totals" shows them: (form, "") or (None, why not)."""
    status, _headers, body = browser.get("/checkout/")
    if status != 200:
        return None, f"other: checkout page {status}"
    form = form_fields(body, "checkout_token")
    from bench.checkout import DELIVERY  # needs Django set up, as tests and figures have

    form.update(DELIVERY)
    form.update({"name": f"Buyer {email}", "email": email, "payment_method": "cod"})
    # The page opened with the total for no address yet; the state's shipping and tax may
    # change it, and an order is refused when its total is not the one the shopper saw. The
    # page shown again also ticks a shipping method that delivers to the state.
    status, _headers, body = browser.post("/checkout/", {**form, "update_totals": "1"})
    if status != 200:
        return None, f"other: update totals {status}"
    return form_fields(body, "checkout_token"), ""


def place_checkout(browser, form):
    """Press "Place order" on a filled-in checkout form: "order", "out of stock" or
    "other: <status> (<the errors the form shows>)". A refused form placed nothing."""
    status, headers, body = browser.post("/checkout/", form)
    if status == 302 and "/checkout/thank-you/" in headers.get("location", ""):
        return "order"
    if status == 200 and "out of stock" in body:
        return "out of stock"
    return f"other: {status}" + (f" ({errors})" if (errors := form_errors(body)) else "")


def form_errors(page_html):
    """The errors a re-rendered form shows (form-wide and per field), as one line."""
    blocks = re.findall(r'<div class="form-errors" role="alert">(.*?)</div>', page_html, re.DOTALL)
    blocks += re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page_html, re.DOTALL)
    texts = (re.sub(r"<[^>]+>", " ", block) for block in blocks)
    return "; ".join(" ".join(text.split()) for text in texts if text.strip())


# -- the figures -----------------------------------------------------------------------------

def parse_options(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.cluster", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--database", default="storefront_cluster_bench",
                        help="PostgreSQL database to (re)create (storefront_cluster_bench)")
    parser.add_argument("--products", type=int, default=1000, help="catalogue size (1000)")
    parser.add_argument("--gunicorn-workers", type=int, default=2,
                        help="gunicorn workers per app server (2)")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per loaded pass (3)")
    parser.add_argument("--latency-duration", type=float, default=3.0,
                        help="seconds per one-connection pass (3)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (8)")
    parser.add_argument("--buyers", type=int, default=50, help="checkout race buyers (50)")
    parser.add_argument("--stock", type=int, default=10, help="units they race for (10)")
    return parser.parse_args(argv)


def main(argv=None):
    from bench import cluster_figures

    options = parse_options(argv)
    ensure_programs()
    from bench.load import ensure_wrk

    ensure_wrk()
    if reason := postgres_unreachable():
        raise SystemExit(reason)
    cluster_figures.run(options)


if __name__ == "__main__":
    main()
