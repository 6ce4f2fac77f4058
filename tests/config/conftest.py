import json
import os
import secrets
import subprocess
import sys

import pytest

from config.env import BASE_DIR


@pytest.fixture
def run_python():
    """`run_python(code, **env)`: run `code` in a fresh interpreter in the project folder.

    Its environment holds only PATH and `env`, so nothing exported in the developer's shell
    (SECRET_KEY, REDIS_URL, ...) changes the settings under test.
    """

    def run(code, **env):
        return subprocess.run(
            [sys.executable, "-c", code],
            cwd=BASE_DIR,
            env={"PATH": os.environ.get("PATH", ""), **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def production_env():
    """What a real deployment must provide; everything else keeps its production default."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "shop.example.com",
        "SHOP_BASE_URL": "https://shop.example.com",
    }


@pytest.fixture
def run_production(run_python, production_env):
    """`run_production(code, **env)`: run Django code under the production settings.

    `code` runs after django.setup() and ends by printing one JSON document, which is
    returned. Keyword arguments are extra environment variables.
    """

    def run(code, **env):
        result = run_python(
            f"import django, json\ndjango.setup()\n{code}", **{**production_env, **env}
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    return run
