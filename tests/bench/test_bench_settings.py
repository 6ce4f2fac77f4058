"""The benchmark serves the shop with production settings, as bench/__main__.py sets them."""

import os
import subprocess
import sys

from bench.__main__ import bench_environment, parse_options
from config.env import BASE_DIR, TEST_CARD_GATEWAY


def test_the_benchmarks_production_settings_offer_the_card_the_race_pays_with():
    options = parse_options(["--database-url", "postgres://postgres@127.0.0.1:5432/bench_check"])
    environment = {**os.environ, **bench_environment(options)}
    environment.pop("STRIPE_SECRET_KEY", None)
    gateways = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from django.conf import settings; print(settings.SHOP_PAYMENT_GATEWAYS['card'])"],
        env=environment, cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert gateways.strip() == TEST_CARD_GATEWAY
