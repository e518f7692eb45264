/**
 * `puhui serve`: the HTTP service on PostgreSQL (--database URL or DATABASE_URL) or on the embedded store
 * (--data DIR, default ./puhui-data). `puhui serve --demo` prepares a small demo economy in a fresh
 * embedded store and prints an API key and three curl commands. The process runs until SIGINT or SIGTERM,
 * then closes gracefully.
 */
import { resolve } from 'node:path';
import { intFlag, parse, UsageError } from './args.ts';
import { prepareDemo, type DemoSetup } from '../server/demo.ts';
import { startService, type RunningService } from '../server/serve.ts';
import type { DecisionSettings } from '../server/context.ts';

const PORT_DEFAULT = 8080;

export async function commandServe(argv: string[]): Promise<void> {
  const { flags } = parse(argv, {
    port: { type: 'string' }, host: { type: 'string' }, database: { type: 'string' }, data: { type: 'string' }, dataset: { type: 'string' },
    demo: { type: 'boolean' }, strategy: { type: 'string' }, challenger: { type: 'string' }, share: { type: 'string' }, mode: { type: 'string' },
    model: { type: 'string' }, log: { type: 'boolean' }, 'rate-limit': { type: 'string' },
  });
  const port = intFlag(flags, 'port', PORT_DEFAULT);
  if (port > 65535) throw new UsageError(`--port must be 0..65535, got ${port}`);
  const decisions: DecisionSettings = {
    ...(typeof flags.strategy === 'string' ? { strategy: resolve(flags.strategy) } : {}),
    ...(typeof flags.challenger === 'string' ? { challenger: resolve(flags.challenger) } : {}),
    ...(typeof flags.share === 'string' ? { share: shareOf(flags.share) } : {}),
    ...(typeof flags.mode === 'string' ? { mode: modeOf(flags.mode) } : {}),
    ...(typeof flags.model === 'string' ? { modelFile: resolve(flags.model) } : {}),
  };
  const host = typeof flags.host === 'string' ? flags.host : '127.0.0.1';
  const limits = flags['rate-limit'] === undefined ? {} : { requestsPerWindowPerKey: intFlag(flags, 'rate-limit', 0) };
  let demo: DemoSetup | null = null;
  if (flags.demo === true) {
    if (typeof flags.database === 'string') throw new UsageError('--demo runs on a fresh embedded store; leave out --database');
    demo = await prepareDemo(resolve(typeof flags.data === 'string' ? flags.data : 'puhui-demo-service'), (step) => process.stderr.write(`demo: ${step}\n`));
  }
  const running = await startService({
    port, host, decisions, limits, logger: flags.log === true,
    ...(demo ? { dataDir: demo.dataDir, datasetDir: demo.datasetDir } : {
      ...(typeof flags.database === 'string' ? { databaseUrl: flags.database } : {}),
      ...(typeof flags.data === 'string' ? { dataDir: resolve(flags.data) } : {}),
      datasetDir: typeof flags.dataset === 'string' ? resolve(flags.dataset) : null,
    }),
  });
  process.stdout.write(demo ? demoText(running, demo) : `Puhui service on ${running.url} (store: ${running.store.kind}); OpenAPI at ${running.url}/openapi.json\n`);
  await untilSignalled(running);
}

function shareOf(text: string): number {
  const share = Number(text);
  if (!(share >= 0 && share <= 1)) throw new UsageError(`--share must be a number from 0 to 1, got '${text}'`);
  return share;
}

function modeOf(text: string): 'shadow' | 'live' {
  if (text !== 'shadow' && text !== 'live') throw new UsageError(`--mode must be shadow or live, got '${text}'`);
  return text;
}

export function demoText(running: Pick<RunningService, 'url'>, demo: DemoSetup): string {
  const url = running.url.replace('127.0.0.1', 'localhost');
  const bank = `-H 'Authorization: Bearer ${demo.keys.bank}'`;
  return [
    `Puhui service (demo) on ${url}: a bank, an enterprise (${demo.creditCode}) that has authorised it, and the platform operator.`,
    `Bank API key:       ${demo.keys.bank}`,
    `Enterprise API key: ${demo.keys.enterprise}`,
    `Operator API key:   ${demo.keys.operator}`,
    '',
    'Try:',
    `  curl -s ${url}/health`,
    `  curl -s ${url}/v1/applications ${bank} -H 'Content-Type: application/json' -d '{"creditCode":"${demo.creditCode}","amountFen":50000000,"termMonths":12}'`,
    `  curl -s ${url}/v1/enterprises/${demo.creditCode}/data/tax ${bank}`,
    `Platform: ${demo.platform.rated} enterprises rated, ${demo.platform.banks} banks with ${demo.platform.products} products, ${demo.platform.needs} open needs, a whitelist of ${demo.platform.whitelisted} firms (${demo.platform.dispatched} dispatched). Also:`,
    `  curl -s ${url}/v1/enterprises/${demo.creditCode}/credit-report ${bank} > report.html      # the credit report`,
    `  curl -s ${url}/public/risk-notices                     # public risk notices, no key`,
    '',
    `The API: ${url}/openapi.json · stop with Ctrl-C`,
    '',
  ].join('\n');
}

function untilSignalled(running: RunningService): Promise<void> {
  return new Promise((resolveDone) => {
    const stop = (signal: string) => {
      process.stderr.write(`puhui serve: ${signal}, closing (requests in flight finish first)\n`);
      running.close().then(resolveDone, (error: unknown) => {
        process.stderr.write(`puhui serve: closing failed: ${(error as Error).message}\n`);
        resolveDone();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
