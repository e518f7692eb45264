// Worker-thread entry for a dispatch solve. Installed, the package runs compiled JavaScript (dist/) and the compiled
// worker sits beside this file: load it directly. Run from the sources (tests, the bench), register tsx's loader
// inside the worker (Node 20 does not pass --import on to workers) and load the TypeScript worker.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('./dispatch-worker.js', import.meta.url);
if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./dispatch-worker.ts', import.meta.url).href);
}
