-- wrk script for bench/ratings_api.py: POST /api/v1/ratings/ with the signed token of a case.
--
--   wrk -t2 -c16 -d30s --latency -s bench/ratings_api.lua http://127.0.0.1:PORT/api/v1/ratings/ -- TOKENS_FILE
--
-- TOKENS_FILE has "<token> <level>" a line, one line per delivered case. Each thread takes its
-- own half of the lines and sends each exactly once (一事一评: a repeat would be a 409), so every
-- request rates a distinct case. A thread whose half is used up sends GET /healthz/ instead and
-- stops; those answers (200) are counted as spare, not as ratings.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local lines = {}
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      lines[#lines + 1] = line
    end
  end
  file:close()
  local half = math.floor(#lines / 2)
  first = (tid == 1) and 1 or half + 1
  last = (tid == 1) and half or #lines
  tokens, next_index = lines, first
  created, other, spare = 0, 0, 0
end

local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function request()
  if next_index > last then
    wrk.thread:stop()
    return wrk.format("GET", "/healthz/")
  end
  local token, level = tokens[next_index]:match("^(%S+)%s+(%d)$")
  next_index = next_index + 1
  local body
  if tonumber(level) <= 2 then
    body = '{"token":"' .. token .. '","level":' .. level ..
      ',"reasons":["slow"],"comment":"办理时间过长，来回跑了两次"}'
  else
    body = '{"token":"' .. token .. '","level":' .. level .. ',"dimensions":{"efficiency":' .. level .. '}}'
  end
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    spare = spare + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, o, s = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    o = o + thread:get("other")
    s = s + thread:get("spare")
  end
  io.write(string.format("lua: created=%d non_201=%d spare=%d\n", c, o, s))
end
