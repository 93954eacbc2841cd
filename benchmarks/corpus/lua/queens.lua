-- Counts all solutions of the N-queens problem by backtracking. Usage: queens.lua [N]
local n = tonumber(arg and arg[1]) or 9
local cols, diag1, diag2 = {}, {}, {}
local function place(row)
  if row > n then return 1 end
  local count = 0
  for c = 1, n do
    local d1, d2 = row + c, row - c + n
    if not cols[c] and not diag1[d1] and not diag2[d2] then
      cols[c], diag1[d1], diag2[d2] = true, true, true
      count = count + place(row + 1)
      cols[c], diag1[d1], diag2[d2] = false, false, false
    end
  end
  return count
end
print(string.format("queens(%d) = %d", n, place(1)))
