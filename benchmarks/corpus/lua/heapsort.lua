-- Heapsort of N pseudo-random integers from a linear congruential generator (table access,
-- integer arithmetic). Prints the checksum of the sorted array. Usage: heapsort.lua [N]
local n = tonumber(arg and arg[1]) or 100000
local seed = 42
local function random()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end
local a = {}
for i = 1, n do a[i] = random() end
local function sift(a, start, stop)
  local root = start
  while 2 * root <= stop do
    local child = 2 * root
    if child < stop and a[child] < a[child + 1] then child = child + 1 end
    if a[root] < a[child] then
      a[root], a[child] = a[child], a[root]
      root = child
    else
      return
    end
  end
end
for start = n // 2, 1, -1 do sift(a, start, n) end
for stop = n, 2, -1 do
  a[1], a[stop] = a[stop], a[1]
  sift(a, 1, stop - 1)
end
local sum = 0
for i = 1, n do
  assert(i == 1 or a[i - 1] <= a[i], "not sorted")
  sum = (sum + a[i] * i) % 1000000007
end
print(string.format("heapsort(%d): first = %d, last = %d, checksum = %d", n, a[1], a[n], sum))
