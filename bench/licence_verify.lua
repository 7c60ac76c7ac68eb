-- wrk script for bench/licence_verify.py: GET /api/v1/licences/verify/?id=<identifier>.
--
--   wrk -t2 -c16 -d30s --latency -s bench/licence_verify.lua http://127.0.0.1:PORT -- IDS_FILE
--
-- IDS_FILE has one identifier a line (valid, suspended, revoked, expired, tampered and unknown
-- licences mixed, in a shuffled order); each thread walks the list from its own starting point.

local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  ids = {}
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      ids[#ids + 1] = line
    end
  end
  file:close()
  assert(#ids > 0, "no identifiers in " .. args[1])
  counter = (tid - 1) * math.floor(#ids / 2)
end

function request()
  counter = counter + 1
  local id = ids[(counter % #ids) + 1]
  return wrk.format("GET", "/api/v1/licences/verify/?id=" .. id, { ["Accept"] = "application/json" })
end
