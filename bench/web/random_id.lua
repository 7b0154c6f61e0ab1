-- wrk script for bench_web.py: GET PREFIX..ID with ID picked at random from 1..N in every request,
-- so that by-id requests spread over the whole store rather than one cached row.
-- wrk ... -s random_id.lua http://127.0.0.1:PORT -- N [PREFIX]
local n, prefix = 1, "/api/v1/projects/"

function init(args)
  n = tonumber(args[1]) or 1
  prefix = args[2] or prefix
  -- A seed of its own per thread (each thread has its own Lua state).
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return wrk.format(nil, prefix .. math.random(1, n))
end
