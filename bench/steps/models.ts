// Model-kit scale: binning + WOE + logistic regression fitted on N rows × 50 features, then scoring N rows.
import { trainScorecard, scoreRows, type ColumnValues } from '../../src/models/scorecard.ts';
import { Rng } from '../../src/synth/random.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const featureCount = 50;
const rng = new Rng(9, 'model-bench');
const columns: Record<string, ColumnValues> = {};
const raw: Float64Array[] = [];
for (let j = 0; j < featureCount; j++) raw.push(Float64Array.from({ length: rows }, () => Math.round(rng.normal() * 1000) / 100));
const bad = new Uint8Array(rows);
for (let i = 0; i < rows; i++) {
  let logit = -3.5;
  for (let j = 0; j < featureCount; j++) logit += (j % 2 === 0 ? 1 : -1) * (0.05 + 0.005 * j) * raw[j]![i]!; // every feature matters a little
  bad[i] = rng.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
}
// Typed columns, as a feature table comes out of Parquet: NaN marks a missing value (2% of rows).
raw.forEach((values, j) => { columns[`x${j}`] = Float64Array.from(values, (v, i) => (i % 50 === 0 ? Number.NaN : v)); });
let started = performance.now();
const model = trainScorecard(columns, bad, 'bad', { binning: { method: 'monotonic', maxBins: 8 } });
const fitSeconds = (performance.now() - started) / 1000;
started = performance.now();
scoreRows(model, columns);
const scoreSeconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ rows, features: featureCount, kept: model.features.length, fitSeconds, scoreSeconds, scoreRowsPerSecond: Math.round(rows / scoreSeconds), trainAuc: model.training.auc, maxRssKb: process.resourceUsage().maxRSS }));
