// Builds text, splits, counts words in an object, runs regular expressions and replaces
// (strings, regex engine, hashing of property names). Usage: strings.js [N]
const n = scriptArgs.length > 0 ? Number(scriptArgs[0]) : 3000;
const words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"];
let seed = 3;
function random() { seed = (Math.imul(seed, 69069) + 1) >>> 0; return seed >>> 8; }
const parts = [];
for (let i = 0; i < n; i++) {
  parts.push(`${words[random() % 8]}-${random() % 1000} ${words[random() % 8].toUpperCase()}.`);
}
const text = parts.join(" ");
const counts = {};
for (const w of text.toLowerCase().split(/[^a-z]+/)) if (w) counts[w] = (counts[w] || 0) + 1;
const numbers = text.match(/\d+/g).map(Number);
const sum = numbers.reduce((a, b) => a + b, 0);
const replaced = text.replace(/([a-z]+)-(\d+)/g, (m, w, d) => d + w.length);
let hash = 0;
for (let i = 0; i < replaced.length; i++) hash = (hash * 31 + replaced.charCodeAt(i)) | 0;
print(`length ${text.length}, numbers ${numbers.length}, sum ${sum}, hash ${hash}`);
print(Object.keys(counts).sort().map(k => `${k}=${counts[k]}`).join(" "));
