#!/usr/bin/env node
// `npm run lock`: rebuilds package-lock.json from the registry, not from this machine's node_modules, so it
// lists every platform's optional native packages (DuckDB and ZEN ship one per OS/CPU/libc). A lock file
// written by `npm install` over an existing node_modules keeps only this machine's, and `npm ci` then refuses
// it elsewhere ("Missing: ... from lock file"). Run it after adding or changing a dependency, then commit
// package.json and package-lock.json together. It fails, naming them, when a platform package is missing.
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const NATIVE_PACKAGES = ['@duckdb/node-bindings', '@gorules/zen-engine'];

rmSync('package-lock.json', { force: true });
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const missing = [];
for (const name of NATIVE_PACKAGES) {
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry) continue;
  for (const optional of Object.keys(entry.optionalDependencies ?? {})) {
    if (!lock.packages[`node_modules/${optional}`]) missing.push(`${optional}@${entry.optionalDependencies[optional]}`);
  }
}
if (missing.length > 0) {
  console.error(`lock: the registry has no ${missing.join(', ')}; npm ci would refuse this lock file on every machine. Pick a version published for every platform.`);
  process.exit(1);
}
console.error('lock: package-lock.json lists every platform\'s native packages; commit it with package.json');
