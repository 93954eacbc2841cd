-- Mandelbrot set on an N x N grid, 50 iterations per point; prints how many points are
-- inside and a checksum of the escape counts (floating-point heavy). Usage: mandelbrot.lua [N]
local n = tonumber(arg and arg[1]) or 200
local inside, sum = 0, 0
for y = 0, n - 1 do
  local ci = 2.0 * y / n - 1.0
  for x = 0, n - 1 do
    local cr = 2.0 * x / n - 1.5
    local zr, zi, i = 0.0, 0.0, 0
    while i < 50 and zr * zr + zi * zi <= 4.0 do
      zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
      i = i + 1
    end
    if i == 50 then inside = inside + 1 end
    sum = (sum * 31 + i) % 1000000007
  end
end
print(string.format("mandelbrot(%d): inside = %d, checksum = %d", n, inside, sum))
