-- wrk script for soak.py: a mix of reads and writes as the office, against one server.
-- wrk ... -s soak.lua http://127.0.0.1:PORT -- DATAFILE [DELAY_MS]
-- DATAFILE (written by soak.py) sets: token, n (projects), lists, searches, demands, reports
-- ({project id, period} pairs that accept a report). Of 100 requests: 25 list pages, 30 projects by
-- id, 8 searches, 5 demands' matches, 10 PATCHes without If-Match, 7 PATCHes with the If-Match of
-- the version this thread last read (412 if another client wrote since: a conflict, counted apart),
-- 15 progress reports filed (a new version of the period's report).
local delay_ms = 0
ok, conflicts, e4, e5, logged = 0, 0, 0, 0, 0
local etags, tagged = {}, {}
local seq = 0

function init(args)
  dofile(args[1])
  delay_ms = tonumber(args[2]) or 0
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

local function hdr(extra)
  local h = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

function request()
  seq = seq + 1
  local r = math.random(100)
  if r <= 25 then
    return wrk.format("GET", lists[math.random(#lists)], hdr())
  elseif r <= 55 then
    return wrk.format("GET", "/api/v1/projects/" .. math.random(1, n), hdr())
  elseif r <= 63 then
    return wrk.format("GET", searches[math.random(#searches)], hdr())
  elseif r <= 68 and #demands > 0 then
    return wrk.format("GET", "/api/v1/demands/" .. demands[math.random(#demands)] .. "/matches", hdr())
  elseif r <= 78 then
    local body = '{"summary":"压力测试修改 ' .. seq .. '"}'
    return wrk.format("PATCH", "/api/v1/projects/" .. math.random(1, n), hdr(), body)
  elseif r <= 85 and #tagged > 0 then
    local id = tagged[math.random(#tagged)]
    local body = '{"summary":"压力测试按版本修改 ' .. seq .. '"}'
    return wrk.format("PATCH", "/api/v1/projects/" .. id, hdr({["If-Match"] = etags[id]}), body)
  elseif #reports > 0 then
    local p = reports[math.random(#reports)]
    local body = '{"period":"' .. p[2] .. '","percent":' .. (seq % 100) ..
      ',"done_text":"压力测试：本期完成第' .. seq .. '批样品检测，进度正常。"}'
    return wrk.format("POST", "/api/v1/projects/" .. p[1] .. "/reports", hdr(), body)
  end
  return wrk.format("GET", "/api/v1/projects/" .. math.random(1, n), hdr())
end

function response(status, headers, body)
  if status < 400 then
    ok = ok + 1
    local tag = headers["etag"] or headers["ETag"]
    if tag then
      local id = body:match('^{"id":(%d+)')
      if id then
        if not etags[id] then tagged[#tagged + 1] = id end
        etags[id] = tag
      end
    end
  elseif status == 409 or status == 412 then
    conflicts = conflicts + 1
  else
    if status >= 500 then e5 = e5 + 1 else e4 = e4 + 1 end
    if logged < 3 then
      logged = logged + 1
      io.write("SOAK-ERR " .. status .. " " .. string.sub(body or "", 1, 300):gsub("\n", " ") .. "\n")
    end
  end
end

-- Paced (soak.py --rate): each connection waits this long before its next request.
function delay() return delay_ms end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local t = {ok = 0, conflicts = 0, e4 = 0, e5 = 0}
  for _, th in ipairs(threads) do
    for k in pairs(t) do t[k] = t[k] + (th:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format('SOAK-JSON {"requests":%d,"duration_us":%d,"ok":%d,"conflicts":%d,"e4":%d,"e5":%d,' ..
    '"socket":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n', summary.requests, summary.duration, t.ok, t.conflicts,
    t.e4, t.e5, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
