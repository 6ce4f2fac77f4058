"""Production settings as the benchmark runs them (see bench/__main__.py, which sets the
environment: SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, MEDIA_ROOT, SECURE_SSL_REDIRECT=false)."""

import os

from config.settings.production import *  # noqa: F403
from config.settings.production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

# The physical limit: a saved product page served by whitenoise from this folder, at the root.
WHITENOISE_ROOT = os.environ.get("BENCH_STATIC_PAGE_DIR") or None
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405

# The cluster (bench/cluster.py) writes each sent email to a file in this folder.
EMAIL_FILE_PATH = os.environ.get("BENCH_EMAIL_DIR") or None
