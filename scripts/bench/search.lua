-- wrk script: cycles through filtered registry searches with a bearer token
-- and collects the server's own timing (Server-Timing: app;dur=…) per request.
-- Usage: TOKEN=… PATHS_FILE=… wrk -t1 -c8 -d20s -s scripts/bench/search.lua URL
local token = os.getenv("TOKEN")
local paths = {}
for line in io.lines(os.getenv("PATHS_FILE")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local i = 0
samples = {}
errors = 0

request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], { ["Authorization"] = "Bearer " .. token })
end

response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
  local t = headers["server-timing"] or headers["Server-Timing"]
  if t then
    local ms = tonumber(string.match(t, "dur=([%d%.]+)"))
    if ms then samples[#samples + 1] = ms end
  end
end

local threads = {}
setup = function(thread) threads[#threads + 1] = thread end

done = function(summary, latency, requests)
  local all = {}
  local errs = 0
  for _, t in ipairs(threads) do
    for _, v in ipairs(t:get("samples")) do all[#all + 1] = v end
    errs = errs + t:get("errors")
  end
  table.sort(all)
  local function pct(p) return all[math.max(1, math.ceil(#all * p))] end
  io.write(string.format("server-side: n=%d p50=%.2fms p90=%.2fms p99=%.2fms max=%.2fms non-200=%d\n",
    #all, pct(0.50), pct(0.90), pct(0.99), all[#all], errs))
end
