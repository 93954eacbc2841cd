-- Deep C recursion, as in Lua's own cstack.lua: each level of a recursive string.gsub is a C
-- call with its buffers on the C stack, which in wasm32 is the shadow stack in linear memory.
-- Lua stops it at its C-call limit (LUAI_MAXCCALLS, 200) with a "stack overflow" error; the
-- shadow stack must hold that many levels (wasm-ld's default of 64 KiB does not: a trap).
local count = 0
local function foo ()
  count = count + 1
  string.gsub("a", ".", foo)
end
local ok, msg = pcall(foo)
print(ok, string.find(msg, "stack overflow", 1, true) ~= nil, count)

-- The same through a metatable's __index.
count = 0
local t = setmetatable({}, {__index = foo})
foo = function ()
  count = count + 1
  string.gsub("a", ".", t)
end
ok, msg = pcall(foo)
print(ok, string.find(msg, "stack overflow", 1, true) ~= nil, count)
