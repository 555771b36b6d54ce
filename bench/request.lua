-- wrk script: authenticated requests to the CRM-IMS API.
-- BENCH_TOKEN: bearer token; BENCH_MODE: "get" (BENCH_PATH), "create" (POST customers), "mixed" (80% reads
-- of BENCH_PATH / 20% creates). Every created customer has a unique name and e-mail.
local token = os.getenv("BENCH_TOKEN")
local mode = os.getenv("BENCH_MODE") or "get"
local path = os.getenv("BENCH_PATH") or "/api/v1/customers"
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  -- Unique names and e-mails across threads and across runs.
  math.randomseed(os.time() * 1000 + (tid or 0))
end

local function create()
  counter = counter + 1
  local n = string.format("%d-%d-%d-%d", os.time(), tid or 0, counter, math.random(1, 1000000000))
  local body = '{"name":"Bench Co ' .. n .. '","email":"bench-' .. n .. '@bench.example","status":"prospect","tags":["bench"]}'
  return wrk.format("POST", "/api/v1/customers", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

local function read()
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end

function request()
  if mode == "create" then return create() end
  if mode == "mixed" and math.random() < 0.2 then return create() end
  return read()
end

local errors = 0
function response(status, headers, body)
  if status >= 400 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("HTTP " .. status .. ": " .. string.sub(body, 1, 200) .. "\n") end
  end
end
