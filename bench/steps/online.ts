// Online latency: every feature of one enterprise with 36 months of history and about 2,000 invoices.
import { DatasetReader } from '../../src/data/index.ts';
import { asOfDayOf, compactDossier, computeFeatures, computeFeatureVector } from '../../src/features/index.ts';

// As of the day after the data ends, so the whole 36-month dossier (all its invoices) is in view.
const [dataset] = process.argv.slice(2);
const reader = await DatasetReader.open(dataset!);
const [end] = await reader.query(`SELECT strftime(max(CAST(issueDate AS DATE)) + INTERVAL 1 DAY, '%Y-%m-%d') AS day FROM invoices`);
const asOf = String(end!.day);
const [pick] = await reader.query(`WITH n AS (SELECT code, count(*) AS invoices FROM (SELECT sellerCode AS code FROM invoices UNION ALL SELECT buyerCode FROM invoices) GROUP BY code)
  SELECT code FROM n ORDER BY abs(invoices - 2000), code LIMIT 1`);
const dossier = await reader.dossier(String(pick!.code));
reader.close();
const invoices = dossier.salesInvoices.length + dossier.purchaseInvoices.length;
const percentiles = (run: () => void, iterations: number) => {
  for (let i = 0; i < 200; i++) run(); // warm up
  const times = new Float64Array(iterations);
  for (let i = 0; i < iterations; i++) { const t = performance.now(); run(); times[i] = performance.now() - t; }
  times.sort();
  return { p50Ms: times[Math.floor(iterations * 0.5)]!, p99Ms: times[Math.floor(iterations * 0.99)]! };
};
const compact = compactDossier(dossier);
const day = asOfDayOf(asOf);
console.log(JSON.stringify({
  asOf, invoices, months: dossier.bankMonths.length,
  fromDossier: percentiles(() => computeFeatures(dossier, asOf), 5000),
  fromCompact: percentiles(() => computeFeatureVector(compact, day), 5000),
  maxRssKb: process.resourceUsage().maxRSS,
}));
