// Builds N records as objects, sorts them with a comparator, groups them in a Map and
// serializes a summary with JSON (property access, closures, allocation). Usage: objects.js [N]
const n = scriptArgs.length > 0 ? Number(scriptArgs[0]) : 20000;
let seed = 7;
function random() { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 8; }
const cities = ["Oslo", "Lima", "Pune", "Graz", "Kobe", "Nice", "Bari", "Cork"];
const records = [];
for (let i = 0; i < n; i++) {
  records.push({ id: i, city: cities[random() % cities.length], score: random() % 1000, tags: [random() % 10, random() % 10] });
}
records.sort((a, b) => a.score - b.score || a.id - b.id);
const groups = new Map();
for (const r of records) {
  let g = groups.get(r.city);
  if (!g) { g = { city: r.city, count: 0, total: 0, tags: 0 }; groups.set(r.city, g); }
  g.count++;
  g.total += r.score;
  g.tags += r.tags.reduce((x, y) => x + y, 0);
}
const summary = [...groups.values()].sort((a, b) => a.city < b.city ? -1 : 1);
print(JSON.stringify({ first: records[0].id, last: records[n - 1].id, summary }));
