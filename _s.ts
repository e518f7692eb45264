import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:');
const c = await inst.connect();
async function q(sql: string) { try { const r = await c.runAndReadAll(sql); console.log(JSON.stringify(r.getRowObjectsJson())); } catch (e) { console.log('ERR', (e as Error).message); } }
await q(`SELECT * FROM read_csv('/tmp/m/t.csv', all_varchar=true, header=true, file_row_number=true)`);
await q(`SELECT * FROM read_csv('/tmp/m/t.csv', all_varchar=true, header=true, store_rejects=true, rejects_table='rj', rejects_scan='rs')`);
await q(`SELECT * FROM rj`);
await q(`SELECT * FROM rs`);
await q(`SELECT *, row_number() over () as rn FROM read_csv('/tmp/m/t.csv', all_varchar=true, header=true, store_rejects=true, rejects_table='rj2', rejects_scan='rs2')`);
