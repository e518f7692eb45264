/** The planted (or known) fraud typology of each enterprise, from a labels table (creditCode, fraudKind), for --eval. */
import { DuckDBInstance } from '@duckdb/node-api';
import { tableSource } from '../data/sql-checks.ts';
import type { FraudKind } from '../domain/entities.ts';

export async function readFraudLabels(path: string): Promise<Map<string, FraudKind>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const rows = (await connection.runAndReadAll(`SELECT creditCode, fraudKind FROM ${tableSource(path)}`)).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.creditCode), String(r.fraudKind) as FraudKind]));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
