/** Worker thread of the batch feature computation: shard in, feature matrix out. */
import { parentPort } from 'node:worker_threads';
import { computeFeatureVector } from './compute.ts';
import { FEATURES } from './catalogue.ts';
import { dossiersOfShard, type Shard } from './shard.ts';

export interface ShardRequest { shard: Shard; asOfDay: number }
export interface ShardResult { index: number; numbers: Float64Array; categories: (string | null)[]; count: number }

const CATEGORY_COLUMNS = FEATURES.map((f, k) => (f.type === 'category' ? k : -1)).filter((k) => k >= 0);

export function computeShard({ shard, asOfDay }: ShardRequest): ShardResult {
  const dossiers = dossiersOfShard(shard);
  const width = FEATURES.length;
  const numbers = new Float64Array(dossiers.length * width).fill(Number.NaN);
  const categories: (string | null)[] = new Array(dossiers.length * CATEGORY_COLUMNS.length).fill(null);
  for (let row = 0; row < dossiers.length; row++) {
    const values = computeFeatureVector(dossiers[row]!, asOfDay);
    for (let k = 0; k < width; k++) {
      const value = values[k];
      if (typeof value === 'number') numbers[row * width + k] = value;
    }
    CATEGORY_COLUMNS.forEach((k, c) => { categories[row * CATEGORY_COLUMNS.length + c] = values[k] as string | null; });
  }
  return { index: shard.index, numbers, categories, count: dossiers.length };
}

parentPort?.on('message', (request: ShardRequest) => {
  const result = computeShard(request);
  parentPort!.postMessage(result, [result.numbers.buffer as ArrayBuffer]);
});
