-- wrk script for POST /v1/webhooks: the same small JSON body every time.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

wrk.method = "POST"
wrk.body = '{"url":"https://example.test/hook","events":["video.completed"]}'
wrk.headers["Content-Type"] = "application/json"
