import { join } from 'node:path';
import { computeFeatureTable } from '../../src/features/batch.ts';

const [dataset, asOf, workers] = process.argv.slice(2);
const result = await computeFeatureTable({ datasetDir: dataset!, asOf: asOf!, outFile: join(dataset!, 'features.parquet'), workers: Number(workers) });
console.log(JSON.stringify({ enterprises: result.enterprises, seconds: result.seconds, maxRssKb: process.resourceUsage().maxRSS }));
