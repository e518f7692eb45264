// The baseline: DuckDB copying each CSV to Parquet with no validation at all.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { datasetFiles } from '../../src/data/layout.ts';

const [source, target] = process.argv.slice(2);
mkdirSync(target!, { recursive: true });
const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '1GB' });
const connection = await instance.connect();
for (const file of datasetFiles(source!)) {
  await connection.run(`COPY (SELECT * FROM read_csv('${file.path}', header = true)) TO '${join(target!, `${file.entity}.parquet`)}' (FORMAT parquet, COMPRESSION zstd)`);
}
console.log(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
