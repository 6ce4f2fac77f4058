-- One benchmark scenario for wrk, configured by bench/load.py through the environment:
--   BENCH_METHOD        GET or POST
--   BENCH_PATHS         request paths, one a line, used in turn
--   BENCH_BODIES        form bodies for POST, one a line, paired with the paths
--   BENCH_COOKIES       Cookie headers, one a line, used in turn (one per visitor)
--   BENCH_CSRF_TOKEN    sent as X-CSRFToken (the csrftoken cookie is in BENCH_COOKIES)
--   BENCH_MAX_REQUESTS  each thread stops after this many responses (0: only -d bounds it)
-- done() prints one JSON line with the figures bench/load.py reads.

local function lines(name)
  local items = {}
  for line in (os.getenv(name) or ""):gmatch("[^\n]+") do items[#items + 1] = line end
  return items
end

local method = os.getenv("BENCH_METHOD") or "GET"
local paths = lines("BENCH_PATHS")
local bodies = lines("BENCH_BODIES")
local cookies = lines("BENCH_COOKIES")
local csrf_token = os.getenv("BENCH_CSRF_TOKEN")
local max_requests = tonumber(os.getenv("BENCH_MAX_REQUESTS") or "0")
local sent, received = 0, 0

function request()
  sent = sent + 1
  local turn = (sent - 1) % #paths + 1
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(sent - 1) % #cookies + 1] end
  if csrf_token and csrf_token ~= "" then headers["X-CSRFToken"] = csrf_token end
  local body = nil
  if #bodies > 0 then
    body = bodies[turn]
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(method, paths[turn], headers, body)
end

function response(status, headers, body)
  received = received + 1
  if max_requests > 0 and received >= max_requests then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
    .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, '
    .. '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
