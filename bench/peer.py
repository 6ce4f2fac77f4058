"""`python -m bench --peer DIR`: the shop's uncached pages against wagtail/bakerydemo's.

DIR is a git clone of wagtail/bakerydemo. The benchmark gives it a virtualenv of its own
(DIR/.bench/venv) with bakerydemo's requirements on the shop's Django and Wagtail, seeds its
own PostgreSQL database with bakerydemo's data commands, and serves it with its production
settings, its cache off, under the same gunicorn settings as the shop. See README, "Benchmarks".
"""

import hashlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import dj_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
SHOP_REQUIREMENTS = PROJECT_DIR / "requirements.txt"

# What makes a folder a bakerydemo checkout for the benchmark: everything it runs.
CHECKOUT_FILES = (
    "manage.py",
    "requirements/base.txt",
    "requirements/production.txt",
    "bakerydemo/settings/production.py",
    "bakerydemo/base/management/commands/load_initial_data.py",
)
RANDOM_DATA_COMMAND = "bakerydemo/base/management/commands/create_random_data.py"
# Pinned to the shop's versions, so both run on one stack.
SHOP_STACK = ("Django", "wagtail", "gunicorn", "psycopg", "whitenoise", "dj-database-url")
# What bakerydemo's production settings import beyond requirements/base.txt. The rest of
# requirements/production.txt (uwsgi, S3, Google Cloud, Elasticsearch 5, Redis) serves
# settings the benchmark leaves off, and uwsgi would have to be compiled.
PRODUCTION_RUNTIME = ("psycopg", "whitenoise", "dj-database-url")
# Snippets and images create_random_data adds beside its pages. No images: on Django 5.2 its
# image step fails (Django's ImageField is handed a plain open file and asks it for its
# width), and its pages take their pictures from the ones load_initial_data brings.
RANDOM_SNIPPETS = 20
RANDOM_IMAGES = 0
SEARCH_TERM = "bread"
# bakerydemo's production settings, with its cache switched off.
SETTINGS_MODULE = "bench_peer_settings"
SETTINGS_SOURCE = '''"""bakerydemo's production settings, cache off (the storefront's benchmark)."""
from bakerydemo.settings.production import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
'''


class PeerError(Exception):
    """The peer could not be set up or served; the message says why."""


def checkout_problem(peer_dir):
    """Why `peer_dir` is not a bakerydemo checkout the benchmark can run, or None."""
    folder = Path(peer_dir)
    if not folder.is_dir():
        return f"{peer_dir} is not a folder"
    missing = [name for name in CHECKOUT_FILES if not (folder / name).is_file()]
    if missing:
        return f"{peer_dir} is not a checkout of wagtail/bakerydemo (no {', '.join(missing)})"
    return None


class Peer:
    """One bakerydemo checkout, its virtualenv and database."""

    def __init__(self, peer_dir, database_url):
        self.dir = Path(peer_dir).resolve()
        self.database_url = database_url
        self.work = self.dir / ".bench"
        self.venv = self.work / "venv"
        self.python = self.venv / "bin" / "python"

    @property
    def environment(self):
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join([str(self.work), str(self.dir)]),
            "DATABASE_URL": self.database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
        }

    def manage(self, *arguments, log=None):
        command = [str(self.python), "manage.py", *arguments]
        result = subprocess.run(
            command, cwd=self.dir, env=self.environment, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise PeerError(
                f"bakerydemo's `manage.py {' '.join(arguments)}` failed:\n"
                f"{(result.stderr or result.stdout)[-3000:]}"
            )
        return result.stdout

    def install(self, log):
        """The virtualenv, made again only when bakerydemo's or the shop's pins change."""
        self.work.mkdir(exist_ok=True)
        # Nothing the benchmark writes in the checkout shows up in its `git status`.
        (self.work / ".gitignore").write_text("*\n")
        (self.work / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
        requirements, constraints = peer_requirements(
            (self.dir / "requirements/base.txt").read_text(),
            (self.dir / "requirements/production.txt").read_text(),
            SHOP_REQUIREMENTS.read_text(),
        )
        stamp = hashlib.sha256((requirements + constraints).encode()).hexdigest()
        stamp_file = self.venv / ".bench-installed"
        if stamp_file.is_file() and stamp_file.read_text() == stamp:
            return
        log(f"Installing bakerydemo's requirements in {self.venv} ...")
        (self.work / "requirements.txt").write_text(requirements)
        (self.work / "constraints.txt").write_text(constraints)
        run_checked([sys.executable, "-m", "venv", str(self.venv)], "creating the virtualenv")
        run_checked(
            [str(self.python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "-r", str(self.work / "requirements.txt"), "-c", str(self.work / "constraints.txt")],
            "installing bakerydemo's requirements on the shop's Django and Wagtail",
        )
        stamp_file.write_text(stamp)

    def seed(self, products, log):
        """migrate, load_initial_data once, then create_random_data up to `products` breads."""
        log(f"bakerydemo on {dj_database_url.parse(self.database_url)['NAME']}: migrating ...")
        self.manage("migrate", "--noinput")
        if self.count("SELECT count(*) FROM breads_breadpage") == 0:
            log("  load_initial_data ...")
            self.manage("load_initial_data")
        breads = self.count("SELECT count(*) FROM breads_breadpage")
        if (self.dir / RANDOM_DATA_COMMAND).is_file() and breads < products:
            # It adds as many location, blog and standard pages too: minutes at 1,000.
            log(f"  create_random_data {products - breads} (pages of each kind) ...")
            self.manage(
                "create_random_data", str(products - breads), str(RANDOM_SNIPPETS),
                str(RANDOM_IMAGES),
            )
            self.run_sql("ANALYZE")
        self.manage("collectstatic", "--noinput", "--verbosity", "0")

    def warm(self, paths, log):
        """Each page requested once in-process, so its image renditions exist before the
        measured passes (as they do on a live site; a first request resizing the fixtures'
        photographs outlasts gunicorn's timeout on this machine)."""
        log("  rendering bakerydemo's pages once (image renditions) ...")
        script = (
            "from django.test import Client\n"
            "client = Client(HTTP_HOST='127.0.0.1')\n"
            f"for path in {list(paths)!r}:\n"
            "    status = client.get(path).status_code\n"
            "    assert status == 200, f'{path} answered {status}'\n"
        )
        self.manage("shell", "--no-startup", "--command", script)

    def connect(self):
        import psycopg

        config = dj_database_url.parse(self.database_url)
        return psycopg.connect(
            dbname=config["NAME"], host=config["HOST"] or None, port=config["PORT"] or None,
            user=config["USER"] or None, password=config["PASSWORD"] or None, autocommit=True,
        )

    def count(self, query):
        with self.connect() as conn:
            return conn.execute(query).fetchone()[0]

    def run_sql(self, query):
        with self.connect() as conn:
            conn.execute(query)

    def pages(self):
        """The pages compared with the shop's: (shop page name, bakerydemo path)."""
        with self.connect() as conn:
            root, index, bread = (
                conn.execute(
                    "SELECT p.url_path FROM wagtailcore_page p JOIN " + table +
                    " t ON t.page_ptr_id = p.id WHERE p.live ORDER BY p.path LIMIT 1"
                ).fetchone()[0]
                for table in ("base_homepage", "breads_breadsindexpage", "breads_breadpage")
            )
        relative = len(root) - 1  # url_path starts with the site root page's
        return [
            ("product", bread[relative:]),
            ("listing, page 1", index[relative:]),
            ("home", "/"),
            ("search", f"/search/?q={SEARCH_TERM}"),
        ]

    def commit(self):
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=self.dir, capture_output=True, text=True
        )
        return result.stdout.strip()

    def gunicorn_command(self, port, workers):
        """The shop's gunicorn settings (config/gunicorn.conf.py as the benchmark runs it)."""
        return [
            str(self.python), "-m", "gunicorn", "bakerydemo.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--max-requests", "0",
            "--timeout", "30", "--graceful-timeout", "30", "--keep-alive", "5",
            "--access-logfile", "-", "--error-logfile", "-", "--log-level", "warning",
        ]


def requirement_name(line):
    """The distribution a requirements line names, lower case, or None for other lines."""
    line = line.split("#", 1)[0].strip()
    if not line or line.startswith("-"):
        return None
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
    return match.group(0).lower().replace("_", "-") if match else None


def peer_requirements(base, production, shop):
    """(requirements, constraints) for bakerydemo's virtualenv.

    bakerydemo's own Django and Wagtail bounds are dropped (pip cannot override a bound with a
    constraint, only narrow it), and the shop's pins for SHOP_STACK come in as constraints.
    """
    stack = {name.lower() for name in SHOP_STACK}
    runtime = {name.lower() for name in PRODUCTION_RUNTIME}
    lines = [
        line for line in base.splitlines()
        if requirement_name(line) not in {None, "django", "wagtail"}
    ]
    lines += [line for line in production.splitlines() if requirement_name(line) in runtime]
    names = {requirement_name(line) for line in lines}
    lines += [name for name in SHOP_STACK if name.lower() not in names]
    constraints = []
    for line in shop.splitlines():
        if requirement_name(line) in stack:
            # Constraints may not name extras: psycopg[binary]==3.3.9 becomes psycopg==3.3.9.
            constraints.append(re.sub(r"\[[^\]]*\]", "", line.split("#", 1)[0].strip()))
    return "\n".join(lines) + "\n", "\n".join(constraints) + "\n"


def run_checked(command, doing):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise PeerError(f"{doing} failed:\n{(result.stderr or result.stdout)[-3000:]}")
