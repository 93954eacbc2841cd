-- Lua's error handling through Wasm exceptions: error, pcall, xpcall, error objects, nested
-- protected calls, errors in metamethods and coroutines, and runtime errors raised by the VM.
local function show(...) print(select('#', ...), ...) end

show(pcall(error, "plain"))
print(select("#", pcall(error, {code = 42})), type(select(2, pcall(error, {code = 42}))))
show(pcall(error))
show(pcall(function() local t = nil; return t.x end))
show(pcall(function() return 1 + {} end))
show(pcall(function() error("with level", 2) end))
show(pcall(function(...) return ... end, 1, 2, 3))

local ok, e = pcall(error, setmetatable({}, {__tostring = function() return "object" end}))
print(ok, tostring(e))

print(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
print(xpcall(function() return "no error" end, print))

-- nested: an inner pcall catches, the outer one sees a second error
print(pcall(function()
  local ok2, m = pcall(error, "inner")
  error("outer after " .. tostring(m), 0)
end))

-- deep recursion unwinds many frames at once
local function down(n) if n == 0 then error("bottom", 0) end return down(n - 1) + 1 end
print(pcall(down, 150))

-- a loop of errors and catches
local caught = 0
for i = 1, 10000 do
  if not pcall(error, i) then caught = caught + 1 end
end
print("caught", caught)

-- errors in metamethods and in string library callbacks
local mt = {__index = function(_, k) error("no field " .. k, 0) end}
print(pcall(function() return setmetatable({}, mt).missing end))
print(pcall(string.gsub, "abc", "%w", function(c) if c == "b" then error("at " .. c, 0) end end))

-- coroutines: an error ends the coroutine and resume reports it
local co = coroutine.create(function(a) local b = coroutine.yield(a + 1); error("co " .. b, 0) end)
print(coroutine.resume(co, 1))
print(coroutine.resume(co, "boom"))
print(coroutine.status(co))
print(coroutine.wrap(function() return pcall(error, "inside wrap", 0) end)())

-- error with non-string values and tostring of the message
print(select(2, pcall(error, 3.5)), select(2, pcall(error, true)))

-- string.format and tonumber errors from C functions
print(pcall(string.rep))
print(pcall(string.format, "%d", "x"))

-- a close variable runs when an error unwinds past it
do
  local ok3, m = pcall(function()
    local x <close> = setmetatable({}, {__close = function() print("closed") end})
    error("after close", 0)
  end)
  print(ok3, m)
end

-- load reports syntax errors without raising
print(load("return +"))
print(pcall(load("error('from chunk', 0)")))
