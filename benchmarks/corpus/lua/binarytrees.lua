-- Allocates and walks complete binary trees of growing depth (allocation and GC heavy).
-- Usage: binarytrees.lua [MAXDEPTH]
local function make(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { make(depth), make(depth) }
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local maxdepth = tonumber(arg and arg[1]) or 14
local long = make(maxdepth)
for depth = 4, maxdepth, 2 do
  local iterations = 1 << (maxdepth - depth + 4)
  local total = 0
  for _ = 1, iterations do total = total + check(make(depth)) end
  print(string.format("%d trees of depth %d: check %d", iterations, depth, total))
end
print(string.format("long lived tree of depth %d: check %d", maxdepth, check(long)))
