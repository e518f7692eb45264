/**
 * A close worker process (queue.ts starts N of them): works the pg-boss close queue on PostgreSQL until it is
 * empty, then exits. Usage: node queue-worker.js DATABASE_URL [STEP_MODULE ...]
 */
import { workCloseQueue } from './queue.ts';

const [databaseUrl, ...stepModules] = process.argv.slice(2);
if (!databaseUrl) {
  process.stderr.write('usage: queue-worker DATABASE_URL [STEP_MODULE ...]\n');
  process.exit(2);
}
await workCloseQueue(databaseUrl, stepModules);
// pg-boss and the pg pool are stopped; exit without waiting for their last timers.
process.exit(0);
