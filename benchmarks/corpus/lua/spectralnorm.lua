-- Spectral norm of the infinite matrix A(i,j) = 1/((i+j)(i+j+1)/2+i+1), by 10 power
-- iterations on an N-vector (floating point, nested loops). Usage: spectralnorm.lua [N]
local n = tonumber(arg and arg[1]) or 100
local function a(i, j)
  local ij = i + j
  return 1.0 / (ij * (ij + 1) / 2 + i + 1)
end
-- out = A v, or A^T v if transposed
local function times(v, out, transposed)
  for i = 0, n - 1 do
    local s = 0.0
    for j = 0, n - 1 do
      if transposed then s = s + a(j, i) * v[j] else s = s + a(i, j) * v[j] end
    end
    out[i] = s
  end
end
local function atimes(v, out, tmp)
  times(v, tmp, false)
  times(tmp, out, true)
end
local u, v, tmp = {}, {}, {}
for i = 0, n - 1 do u[i] = 1.0 end
for _ = 1, 10 do
  atimes(u, v, tmp)
  atimes(v, u, tmp)
end
local vBv, vv = 0.0, 0.0
for i = 0, n - 1 do
  vBv = vBv + u[i] * v[i]
  vv = vv + v[i] * v[i]
end
print(string.format("spectralnorm(%d) = %.9f", n, math.sqrt(vBv / vv)))
