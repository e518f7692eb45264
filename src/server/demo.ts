/**
 * `puhui serve --demo`: a small synthetic economy imported into a dataset, a fresh embedded store, the
 * snapshot built and made current, and three tenants — the platform operator, a bank and one enterprise
 * that has authorised the bank (one consent for its ordinary data, one of its own for bank statements) —
 * so a newcomer can paste three curl commands and see a decision.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader, importDataset, readManifest } from '../data/index.ts';
import { buildSnapshot } from '../pipeline/snapshot.ts';
import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../synth/index.ts';
import { authoriseConsent, createApiKey, createTenant, openStore, requestConsent, type Principal, type Store } from '../store/index.ts';
import { decisionConsentGroups } from './scopes.ts';
import { SnapshotCatalog } from './snapshots.ts';

export const DEMO_ENTERPRISES = 500;
const DEMO_CONSENT_DAYS = 365;

export interface DemoSetup {
  root: string;
  datasetDir: string;
  dataDir: string;
  creditCode: string;
  keys: { operator: string; bank: string; enterprise: string };
}

/** Prepares the demo in `root` (replacing an earlier one) and closes the store again. */
export async function prepareDemo(root: string, onStep: (step: string) => void = () => undefined): Promise<DemoSetup> {
  const raw = join(root, 'raw');
  const datasetDir = join(root, 'dataset');
  const dataDir = join(root, 'store');
  for (const dir of [raw, datasetDir, dataDir, join(root, 'snapshots')]) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  onStep(`generating a synthetic economy of ${DEMO_ENTERPRISES} enterprises`);
  generateEconomy({ ...DEFAULT_SYNTH_CONFIG, enterprises: DEMO_ENTERPRISES }, raw);
  onStep('importing it');
  await importDataset({ sourceDir: raw, targetDir: datasetDir, allowExternalCounterparties: false });
  const asOf = readManifest(datasetDir)?.observationDate;
  if (!asOf) throw new Error('the demo dataset has no observation date');
  const creditCode = await sampleEnterprise(datasetDir);
  onStep(`building the snapshot as of ${asOf}`);
  const info = await buildSnapshot({ datasetDir, asOf, outDir: join(root, 'snapshots') });
  onStep('opening a fresh embedded store');
  const store = await openStore({ dataDir });
  try {
    await new SnapshotCatalog(store, datasetDir).makeCurrent(info);
    const keys = await demoTenants(store, creditCode);
    return { root, datasetDir, dataDir, creditCode, keys };
  } finally {
    await store.close();
  }
}

/** An established, non-fraudulent general taxpayer: the kind of firm a bank-tax loan is for. */
async function sampleEnterprise(datasetDir: string): Promise<string> {
  const reader = await DatasetReader.open(datasetDir);
  try {
    const code = await reader.sampleCreditCode(`creditCode IN (SELECT creditCode FROM labels WHERE fraudKind = 'none' AND defaultMonth IS NULL) AND taxpayerType = 'general' AND establishedDate < '2019-01-01' AND status = 'active'`);
    if (!code) throw new Error('the demo economy has no established general taxpayer');
    return code;
  } finally {
    reader.close();
  }
}

async function demoTenants(store: Store, creditCode: string): Promise<DemoSetup['keys']> {
  const operator = await createTenant(store, { kind: 'operator', name: 'Puhui platform (demo)' });
  const bank = await createTenant(store, { kind: 'bank', name: 'Demo Rural Commercial Bank 示范农商银行' });
  const enterprise = await createTenant(store, { kind: 'enterprise', name: `Enterprise ${creditCode}`, creditCode });
  const keys = {
    operator: (await createApiKey(store, operator.id, 'operator')).key,
    bank: (await createApiKey(store, bank.id, 'bank')).key,
    enterprise: (await createApiKey(store, enterprise.id, 'enterprise')).key,
  };
  const bankPrincipal: Principal = { tenantId: bank.id, tenantKind: 'bank', role: 'bank', keyId: 'demo' };
  const enterprisePrincipal: Principal = { tenantId: enterprise.id, tenantKind: 'enterprise', role: 'enterprise', keyId: 'demo', creditCode };
  const expiresAt = new Date(Date.parse(store.now()) + DEMO_CONSENT_DAYS * 86_400_000).toISOString();
  for (const group of decisionConsentGroups()) {
    const consent = await requestConsent(store, bankPrincipal, { creditCode, purpose: 'Bank-tax loan application 银税贷授信审批', scopes: group, expiresAt });
    await authoriseConsent(store, enterprisePrincipal, consent.id);
  }
  return keys;
}
