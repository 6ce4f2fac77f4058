#!/usr/bin/env bash
# Production smoke test: deploy the shop as the README's "Deploying on PostgreSQL" section
# does (fresh database, migrate, demo content, collectstatic, gunicorn with production
# settings) and fetch the home page, a product page, a static file, the log-in page and
# /readyz over HTTP, checking the security headers on the way.
# Any failed step or fetch fails the run; the server, database and files are always removed.
#
#   SMOKE_DB    database to (re)create, default storefront_smoke. It is dropped afterwards.
#   SMOKE_PORT  port for gunicorn on 127.0.0.1, default 8765.
#   REDIS_URL   used as in production when set; local-memory cache otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${VENV:-.venv}/bin
SMOKE_DB=${SMOKE_DB:-storefront_smoke}
SMOKE_PORT=${SMOKE_PORT:-8765}
PG=(-h 127.0.0.1 -p 5432 -U postgres)
BASE="http://127.0.0.1:${SMOKE_PORT}"
WORK=$(mktemp -d -t storefront-smoke-XXXXXX)
GUNICORN_PID=""

export DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$("$BIN/python" -c "import secrets; print(secrets.token_urlsafe(50))")
export SECRET_KEY
# Served on loopback, but its links name the public address a real deployment would have.
export ALLOWED_HOSTS=127.0.0.1,localhost,shop.example.com SHOP_BASE_URL=https://shop.example.com
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${SMOKE_DB}"
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export GUNICORN_BIND="127.0.0.1:${SMOKE_PORT}" WEB_CONCURRENCY=2

cleanup() {
    local status=$?
    if [[ -n "$GUNICORN_PID" ]] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
        kill -TERM "$GUNICORN_PID"
        wait "$GUNICORN_PID" 2>/dev/null || true
    fi
    if [[ $status -ne 0 && -f "$WORK/gunicorn.log" ]]; then
        echo "-- gunicorn log (last 40 lines) --" >&2
        tail -n 40 "$WORK/gunicorn.log" >&2
    fi
    dropdb "${PG[@]}" --if-exists "$SMOKE_DB" || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT

# fetch PATH [CURL_ARGS...]: GET PATH; anything but a 200 (a redirect too) fails the run.
fetch() {
    local code
    code=$(curl --silent --show-error --max-time 20 -o "$WORK/body" -w "%{http_code}" \
        "${@:2}" "${BASE}$1") || { echo "Could not fetch $1." >&2; exit 1; }
    echo "$code $1"
    [[ "$code" == 200 ]] || { echo "$1 answered $code, expected 200." >&2; exit 1; }
}
# The proxy in front terminates TLS and says so in X-Forwarded-Proto; do the same.
PROXIED=(-H "X-Forwarded-Proto: https")

echo "-- fresh database $SMOKE_DB"
dropdb "${PG[@]}" --if-exists "$SMOKE_DB"
createdb "${PG[@]}" "$SMOKE_DB"

echo "-- migrate, seed_demo, collectstatic"
"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py seed_demo
"$BIN/python" manage.py collectstatic --noinput

echo "-- check --deploy, database checks included, reports nothing"
"$BIN/python" manage.py check --deploy --database default --fail-level WARNING

echo "-- db_worker runs the queued tasks"
"$BIN/python" manage.py db_worker --batch --no-startup-delay >"$WORK/worker.log" 2>&1 \
    || { tail -n 40 "$WORK/worker.log" >&2; exit 1; }
echo "$(grep -c 'state=SUCCESSFUL' "$WORK/worker.log") task(s) done"

echo "-- gunicorn on $BASE"
"$BIN/gunicorn" -c config/gunicorn.conf.py --control-socket "$WORK/gunicorn.ctl" >"$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
    curl --silent --fail --max-time 2 -o /dev/null "${BASE}/healthz" && break
    kill -0 "$GUNICORN_PID" 2>/dev/null || { echo "gunicorn exited during startup" >&2; exit 1; }
    sleep 0.5
done

fetch /healthz "${PROXIED[@]}" --dump-header "$WORK/headers"
# No banner naming the server software or its version (config/gunicorn.conf.py).
if grep -qi '^server:' "$WORK/headers"; then
    echo "Responses name their server: $(grep -i '^server:' "$WORK/headers")" >&2; exit 1
fi
fetch / "${PROXIED[@]}" --dump-header "$WORK/headers"
grep -qi "^content-security-policy: default-src 'self'" "$WORK/headers" \
    || { echo "The home page has no Content-Security-Policy." >&2; exit 1; }
stylesheet=$(grep -o '/static/[^"]*\.css' "$WORK/body" | head -n 1)
[[ -n "$stylesheet" ]] || { echo "The home page links no stylesheet." >&2; exit 1; }
fetch "$stylesheet" "${PROXIED[@]}"
fetch /shop/ "${PROXIED[@]}"
fetch /shop/dell-xps-13/ "${PROXIED[@]}"
grep -q "Dell XPS 13" "$WORK/body" || { echo "The product page does not name the product." >&2; exit 1; }
fetch /accounts/login/ "${PROXIED[@]}" --dump-header "$WORK/headers"
grep -i '^cache-control:' "$WORK/headers" | grep -q 'no-store' \
    || { echo "The log-in page may be cached: $(grep -i '^cache-control:' "$WORK/headers")" >&2; exit 1; }
fetch /readyz "${PROXIED[@]}"
grep -q '"status": "ok"' "$WORK/body" || { echo "/readyz is not ok: $(cat "$WORK/body")" >&2; exit 1; }
# Load balancer probes come over plain HTTP: no redirect to HTTPS for them.
fetch /readyz

echo "-- production smoke test passed"
