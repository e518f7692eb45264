/** A migration made of plain SQL statements, run one by one (PGlite's extended protocol runs one per query). */
import { sql, type Kysely, type Migration } from 'kysely';

export function statements(list: readonly string[]): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of list) await sql.raw(statement).execute(db);
    },
  };
}
