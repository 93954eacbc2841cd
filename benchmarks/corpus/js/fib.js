// Naive doubly recursive Fibonacci (calls). Usage: fib.js [N]
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const n = scriptArgs.length > 0 ? Number(scriptArgs[0]) : 25;
print(`fib(${n}) = ${fib(n)}`);
