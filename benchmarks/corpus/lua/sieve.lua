-- Sieve of Eratosthenes up to N, repeated R times. Usage: sieve.lua [N] [R]
local n = tonumber(arg and arg[1]) or 1000000
local rounds = tonumber(arg and arg[2]) or 3
local count
for _ = 1, rounds do
  local composite = {}
  count = 0
  for i = 2, n do
    if not composite[i] then
      count = count + 1
      for j = i * i, n, i do composite[j] = true end
    end
  end
end
print(string.format("sieve(%d): %d primes", n, count))
