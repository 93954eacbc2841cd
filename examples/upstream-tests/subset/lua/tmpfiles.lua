-- Loaded before each test file by run.sh (lua -l tmpfiles): os.tmpname and io.tmpfile for Lua's
-- tests in a cell. The wasm build's both always fail (wasi-libc has neither mkstemp nor tmpfile:
-- WASI has no temporary directory), and files.lua, verybig.lua and api.lua need temporary files.
-- os.tmpname creates /tmp/lua_N, as POSIX's mkstemp creates /tmp/lua_XXXXXX; io.tmpfile opens
-- such a file and removes its name at once, as the C library's does. In a cell, /tmp is the
-- empty tmp/ that run.sh puts in the test folder it mounts as the root.
local n = 0
function os.tmpname()
  while true do
    n = n + 1
    local name = "/tmp/lua_" .. n
    if not io.open(name, "r") then
      assert(io.open(name, "w")):close()
      return name
    end
  end
end

function io.tmpfile()
  local name = os.tmpname()
  local f, err = io.open(name, "w+")
  assert(os.remove(name))
  return f, err
end
