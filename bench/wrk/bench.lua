-- wrk script for bench/run.sh: one script, three request kinds, and a count of every
-- response that is not 2xx (by status, with the first such body kept as a sample).
--
--   wrk ... -s bench/wrk/bench.lua http://127.0.0.1:PORT -- list /api/v1/data/lead?source_channel=eq.web_form&limit=50
--   wrk ... -s bench/wrk/bench.lua http://127.0.0.1:PORT -- get  /api/v1/data/lead/ ids.txt
--   wrk ... -s bench/wrk/bench.lua http://127.0.0.1:PORT -- create /api/v1/data/lead body.json
--
-- The API key comes in with `-H "Authorization: Bearer …"`. At the end the script prints
-- BENCH_* lines that run.sh reads (wrk's own text output is kept as well).

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local mode, path, ids, body
local bad, codes, sample = 0, {}, nil

local function read_lines(file)
   local out = {}
   for line in io.lines(file) do
      if line ~= "" then out[#out + 1] = line end
   end
   return out
end

local function read_all(file)
   local f = assert(io.open(file, "rb"))
   local text = f:read("*a")
   f:close()
   return text
end

function init(args)
   mode, path = args[1], args[2]
   math.randomseed(os.time() * 1000 + (id or 0) * 7919)
   if mode == "get" then
      ids = read_lines(args[3])
      assert(#ids > 0, "no ids in " .. args[3])
   elseif mode == "create" then
      body = read_all(args[3])
      wrk.method = "POST"
      wrk.headers["Content-Type"] = "application/json"
      wrk.body = body
   elseif mode ~= "list" then
      error("mode must be list, get or create, not " .. tostring(mode))
   end
   if mode == "create" then
      -- A different phone each time, as real leads have: the pack's duplicate rule looks the
      -- (phone, company) pair up, and identical pairs would queue on its lock.
      request = function()
         local phone = string.format("139%08d", math.random(0, 99999999))
         return wrk.format(nil, path, nil, (body:gsub("13800138000", phone)))
      end
   elseif mode ~= "get" then
      -- The same request every time: build it once.
      local req = wrk.format(nil, path)
      request = function() return req end
   end
end

function request()
   return wrk.format(nil, path .. ids[math.random(#ids)])
end

function response(status, headers, resp_body)
   if status < 200 or status > 299 then
      bad = bad + 1
      codes[status] = (codes[status] or 0) + 1
      if sample == nil then sample = tostring(status) .. " " .. string.sub(resp_body or "", 1, 300) end
   end
end

function done(summary, latency, requests)
   local total_bad, all_codes, first = 0, {}, nil
   for _, thread in ipairs(threads) do
      total_bad = total_bad + (thread:get("bad") or 0)
      local c = thread:get("codes") or {}
      for k, v in pairs(c) do all_codes[k] = (all_codes[k] or 0) + v end
      first = first or thread:get("sample")
   end
   local parts = {}
   for k, v in pairs(all_codes) do parts[#parts + 1] = tostring(k) .. ":" .. tostring(v) end
   local e = summary.errors
   io.write(string.format("BENCH_REQUESTS=%d\n", summary.requests))
   io.write(string.format("BENCH_RPS=%.1f\n", summary.requests / (summary.duration / 1e6)))
   io.write(string.format("BENCH_P50_MS=%.2f\n", latency:percentile(50) / 1000))
   io.write(string.format("BENCH_P99_MS=%.2f\n", latency:percentile(99) / 1000))
   io.write(string.format("BENCH_NON2XX=%d\n", total_bad))
   io.write(string.format("BENCH_CODES=%s\n", table.concat(parts, ",")))
   io.write(string.format("BENCH_SOCKET_ERRORS=connect:%d,read:%d,write:%d,timeout:%d\n", e.connect, e.read, e.write, e.timeout))
   if first then io.write("BENCH_SAMPLE=" .. string.gsub(first, "\n", " ") .. "\n") end
end
