// The analyst's baseline: the SQL subset of the catalogue (bench/features-sql.ts) on DuckDB, written to Parquet.
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { attachDataset, datasetFiles } from '../../src/data/index.ts';
import { featuresSql } from '../features-sql.ts';

const [dataset, asOf] = process.argv.slice(2);
const started = performance.now();
const instance = await DuckDBInstance.create(':memory:', { threads: '2', memory_limit: '512MB' });
const connection = await instance.connect();
await attachDataset(connection, datasetFiles(dataset!));
await connection.run(`COPY (${featuresSql(asOf!)}) TO '${join(dataset!, 'features-sql.parquet')}' (FORMAT parquet)`);
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
