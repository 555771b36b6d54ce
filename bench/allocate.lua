-- wrk script: POST /api/v1/assets/{id}/allocate of one unit to the bench user.
-- BENCH_ASSETS: a file with one asset id per line (one line: a single hot SKU; many: spread over them).
local token = os.getenv("BENCH_TOKEN")
local user = os.getenv("BENCH_USER")
local ids = {}
for line in io.lines(os.getenv("BENCH_ASSETS")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local body = '{"quantity":1,"user_id":"' .. user .. '","note":"bench"}'
local headers = { ["authorization"] = "Bearer " .. token, ["content-type"] = "application/json" }

request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("POST", "/api/v1/assets/" .. id .. "/allocate", headers, body)
end
