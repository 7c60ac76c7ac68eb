-- wrk script for bench/case_api.py: POST /api/v1/cases/ as logged-in applicants.
--
--   wrk -t2 -c16 -d30s -s bench/case_api.lua http://127.0.0.1:PORT -- SESSIONS_FILE REFERER
--
-- SESSIONS_FILE has one line per applicant: "<Cookie header>\t<CSRF token>\t<JSON body>"
-- (written by case_api.py after a real login through the server). Requests take the
-- sessions in turn; each request carries its own Idempotency-Key: the thread's number, a
-- random salt drawn per thread and run, and the thread's request counter.
-- Counted per thread: 201 (created), 200 (a repeated key answered with its case) and every
-- other status (with the first such answer kept for the report).

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sessions = {}
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local cookie, token, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    if cookie then
      sessions[#sessions + 1] = { cookie = cookie, token = token, body = body }
    end
  end
  file:close()
  assert(#sessions > 0, "no sessions in " .. args[1])
  referer = args[2]
  math.randomseed(os.time() + tid * 7919)
  salt = string.format("%08x", math.random(0, 0x7fffffff))
  counter, created, replayed, other = 0, 0, 0, 0
  first_other = ""
end

function request()
  counter = counter + 1
  local s = sessions[(counter % #sessions) + 1]
  return wrk.format("POST", "/api/v1/cases/", {
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Cookie"] = s.cookie,
    ["X-CSRFToken"] = s.token,
    ["Referer"] = referer,
    ["Idempotency-Key"] = string.format("t%d-%s-%d", tid, salt, counter),
  }, s.body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    replayed = replayed + 1
  else
    other = other + 1
    if first_other == "" then
      first_other = status .. " " .. string.sub(body or "", 1, 300):gsub("[\r\n\t]", " ")
    end
  end
end

function done(summary, latency, requests)
  local c, r, o, first = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    r = r + t:get("replayed")
    o = o + t:get("other")
    if first == "" then first = t:get("first_other") end
  end
  local e = summary.errors
  io.write(string.format(
    "CASE_API requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d created=%d replayed=%d other=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, c, r, o, e.connect, e.read, e.write, e.timeout))
  io.write("CASE_API_FIRST_OTHER " .. first .. "\n")
end
