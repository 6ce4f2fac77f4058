"""The benchmark's output: a table on the terminal and the same figures as JSON."""

import json
import os
import platform
import subprocess
import time
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"

COLUMNS = [
    # heading, row key, format
    ("page", "page", "{}"),
    ("visitor", "visitor", "{}"),
    ("req/s", "requests_per_second", "{:.0f}"),
    ("p50 ms", "p50_ms", "{:.1f}"),
    ("p95 ms", "p95_ms", "{:.1f}"),
    ("p95 ms loaded", "loaded_p95_ms", "{:.1f}"),
    ("SQL", "sql_queries", "{}"),
    ("x static", "static_ratio", "{:.2f}"),
    ("cache", "page_cache", "{}"),
    ("errors", "errors", "{}"),
]


def machine():
    memory_kb = 0
    cpu = platform.processor()
    try:
        meminfo = Path("/proc/meminfo").read_text()
        memory_kb = int(meminfo.split("MemTotal:")[1].split()[0])
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, IndexError, StopIteration):
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "commit": git_commit(),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def git_commit():
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
            cwd=RESULTS_DIR.parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def with_static_ratio(rows):
    """Each page's throughput as a fraction of the static file's (the physical limit)."""
    static = next((row for row in rows if row["visitor"] == "static file"), None)
    limit = static["requests_per_second"] if static else 0
    for row in rows:
        row["static_ratio"] = round(row["requests_per_second"] / limit, 3) if limit else None
    return rows


def table(results):
    settings = results["settings"]
    lines = [
        f"{settings['products']} products on {settings['database']}, "
        f"{settings['cache']} cache, {settings['gunicorn_workers']} gunicorn workers, "
        f"wrk {settings['wrk_connections']} connections ({results['machine']['cores']} cores, "
        f"{results['machine']['memory_gib']} GiB)",
        "req/s and 'p95 loaded' under load; p50/p95 with one connection (service time).",
        "",
    ]
    cells = [[heading for heading, _key, _format in COLUMNS]]
    for row in results["pages"]:
        cells.append([
            "-" if row.get(key) in (None, "") else fmt.format(row[key])
            for _heading, key, fmt in COLUMNS
        ])
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    for number, line in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    checkout = results["checkout"]
    lines.append("")
    if "skipped" in checkout:
        lines.append(f"Checkout race skipped: {checkout['skipped']}.")
    else:
        lines.append(
            f"Checkout race: {checkout['buyers']} buyers for {checkout['stock']} units: "
            f"{checkout['orders']} orders ({checkout['orders_per_second']:.0f} orders/s), "
            f"{checkout['out_of_stock']} told out of stock, {checkout['other_errors']} other "
            f"errors, stock left {checkout['stock_left']}: "
            f"{'PASS' if checkout['correct'] else 'FAIL'}"
        )
    lines.append(f"Took {results['seconds']} s.")
    return "\n".join(lines)


def write(results):
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / (
        time.strftime("%Y%m%d-%H%M%S") + f"-{results['settings']['products']}-products.json"
    )
    path.write_text(json.dumps(results, indent=2) + "\n")
    return path
