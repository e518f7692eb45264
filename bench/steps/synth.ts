import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../../src/synth/index.ts';

const [dir, enterprises, months] = process.argv.slice(2);
const result = generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises: Number(enterprises), months: Number(months) }, dir!);
const counts = result.manifest.rowCounts ?? {};
console.log(JSON.stringify({ rows: Object.values(counts).reduce((a, b) => a + (b ?? 0), 0), invoices: counts.invoices, maxRssKb: process.resourceUsage().maxRSS }));
