-- wrk script for GET /v1/webhooks with a bearer token.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")
