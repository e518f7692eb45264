#!/usr/bin/env node
// The `puhui` command runs the compiled JavaScript in dist/ (built by `npm run build`, which npm's `prepare`
// runs on install), so no TypeScript is compiled at start-up.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(compiled))) {
  process.stderr.write(`puhui: the compiled CLI is missing (${fileURLToPath(compiled)}); run 'npm run build' in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv.slice(2));
