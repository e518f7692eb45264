// Worker-thread entry. Installed, the package runs compiled JavaScript (dist/, built by `npm run build`,
// which `prepare` runs on install) and the compiled worker sits beside this file: load it directly. Run from
// the sources (tests, the bench), there is no compiled sibling: register tsx's loader inside the worker
// (Node 20 does not pass --import on to workers) and load the TypeScript worker.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('./batch-worker.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./batch-worker.ts', import.meta.url).href);
}
