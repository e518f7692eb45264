/**
 * `puhui serve --demo`: a small synthetic economy imported into a dataset, a fresh embedded store, the
 * snapshot built and made current, and three tenants — the platform operator, a bank and one enterprise
 * that has authorised the bank (one consent for its ordinary data, one of its own for bank statements) —
 * so a newcomer can paste three curl commands and see a decision — and a 信易贷 platform already in use: every
 * enterprise rated, two banks with three products, needs published by registered enterprises, a government
 * whitelist dispatched to the banks, a credit commitment and a public risk notice, all seeded through the platform's own functions (seedDemoPlatform).
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetReader, importDataset, readManifest } from '../data/index.ts';
import { buildSnapshot, openSnapshot, type Snapshot } from '../pipeline/snapshot.ts';
import { DEFAULT_SYNTH_CONFIG, generateEconomy } from '../synth/index.ts';
import { authenticate, authoriseConsent, createApiKey, createTenant, openStore, requestConsent, type Principal, type Store } from '../store/index.ts';
import { publishNeed, publishProduct, registerEnterprise } from '../platform/market.ts';
import { runDispatch, uploadWhitelist } from '../platform/whitelist.ts';
import { defaultRatingModel } from '../platform/rating-policy.ts';
import { rateSnapshot, syncRegistryRatings } from '../platform/rating-store.ts';
import { signCommitment } from '../platform/commitments.ts';
import { publishNotice } from '../platform/notices.ts';
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
  platform: DemoPlatform;
}

export interface DemoPlatform { rated: number; products: number; needs: number; banks: number; whitelisted: number; dispatched: number }

/** Enterprises (besides the demo's own) that register on the demo platform and publish a need. */
const DEMO_PLATFORM_NEEDS = 8;
/** Firms on the demo government's whitelist (rated A to C), dispatched to the two banks. */
const DEMO_WHITELIST_FIRMS = 20;
/** The demo whitelist's expected loss by platform grade, basis points: an assumption for the demo, not a calibration. */
const DEMO_EXPECTED_LOSS_BPS: Record<string, number> = { A: 50, B: 120, C: 250 };
const YUAN = 100;

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
    onStep('seeding the platform: ratings, banks and products, needs, a whitelist, a commitment, a risk notice');
    const snapshot = openSnapshot(info.dir);
    try {
      const platform = await seedDemoPlatform(store, snapshot, keys, creditCode);
      return { root, datasetDir, dataDir, creditCode, keys, platform };
    } finally {
      snapshot.close();
    }
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

async function principalOf(store: Store, key: string): Promise<Principal> {
  const principal = await authenticate(store, key);
  if (!principal) throw new Error('puhui demo: a key just issued does not authenticate');
  return principal;
}

/**
 * The platform in use, seeded through its own functions: every enterprise of the snapshot rated; the demo bank's
 * tax and invoice loans and a second bank's; the demo enterprise and a few rated A or B register and publish
 * needs (banks see them in their claim queue with the rating); a credit commitment; a public risk notice.
 */
export async function seedDemoPlatform(store: Store, snapshot: Snapshot, keys: { operator: string; bank: string; enterprise: string }, creditCode: string): Promise<DemoPlatform> {
  const operator = await principalOf(store, keys.operator);
  const bank = await principalOf(store, keys.bank);
  const model = defaultRatingModel();
  const rating = await rateSnapshot(store, snapshot, model);
  const city = await createTenant(store, { kind: 'bank', name: 'Demo City Commercial Bank 示范城市商业银行' });
  const cityBank = await principalOf(store, (await createApiKey(store, city.id, 'bank')).key);
  const terms = { limitMinFen: 100_000 * YUAN, limitMaxFen: 3_000_000 * YUAN, termMonthsMin: 6, termMonthsMax: 12, segments: [], regions: [] };
  await publishProduct(store, bank, { ...terms, strategyId: 'tax-loan', nameZh: '示范农商银行·银税贷', nameEn: 'Demo rural bank tax loan', rateMinBps: 360, rateMaxBps: 700 });
  await publishProduct(store, bank, { ...terms, strategyId: 'invoice-loan', nameZh: '示范农商银行·发票贷', nameEn: 'Demo rural bank invoice loan', rateMinBps: 450, rateMaxBps: 900, limitMaxFen: 1_000_000 * YUAN });
  await publishProduct(store, cityBank, { ...terms, strategyId: 'tax-loan-challenger', nameZh: '示范城商行·银税贷', nameEn: 'Demo city bank tax loan', rateMinBps: 380, rateMaxBps: 800 });
  const rated = await store.db.selectFrom('ratings').select('creditCode').where('modelVersion', '=', model.version).where('grade', 'in', ['A', 'B'])
    .where('creditCode', '<>', creditCode).orderBy('creditCode').limit(DEMO_PLATFORM_NEEDS).execute();
  const enterprises: { principal: Principal; code: string }[] = [];
  await registerEnterprise(store, operator, { creditCode, name: `Enterprise ${creditCode}`, industrySection: snapshot.entry(creditCode).enterprise.industrySection });
  enterprises.push({ principal: await principalOf(store, keys.enterprise), code: creditCode });
  for (const { creditCode: code } of rated) {
    const { key } = await registerEnterprise(store, operator, { creditCode: code, name: `Enterprise ${code}`, industrySection: snapshot.entry(code).enterprise.industrySection, issueKey: true });
    enterprises.push({ principal: await principalOf(store, key!), code });
  }
  await syncRegistryRatings(store, model.version);
  let needs = 0;
  for (const [k, { principal }] of enterprises.entries()) {
    const productLine = k % 3 === 2 ? 'invoice_loan' : 'tax_loan';
    await publishNeed(store, principal, { productLine, amountFen: (200_000 + 100_000 * k) * YUAN, termMonths: 12, purpose: 'working capital / 流动资金周转', urgency: k % 4 === 0 ? 'urgent' : 'normal' }, { snapshot });
    needs += 1;
  }
  await signCommitment(store, enterprises[0]!.principal, { kind: 'truthful_information', content: '本企业承诺在平台提交的信息真实、准确、完整，如有不实愿承担相应责任。We declare that the information we submit on the platform is true, accurate and complete.', signedOn: store.now().slice(0, 10) });
  const { whitelisted, dispatched } = await seedDemoWhitelist(store, snapshot, model.version, [bank.tenantId, cityBank.tenantId]);
  await publishNotice(store, operator, {
    titleZh: '警惕冒用平台名义收取"贷款手续费"', titleEn: "Beware of fees charged in the platform's name",
    bodyZh: '平台及合作银行在放款前不收取任何费用。凡要求先交"保证金""手续费"的，均为诈骗，请拨打110。',
    bodyEn: 'Neither the platform nor its banks charge any fee before a loan. Anyone asking for a "deposit" or "fee" first is a fraudster: call 110.',
    level: 'warning',
  });
  return { rated: rating.rated, products: 3, needs, banks: 2, whitelisted, dispatched };
}

/** A government department's whitelist of rated firms, uploaded and dispatched to the banks (HiGHS), through the government module. */
async function seedDemoWhitelist(store: Store, snapshot: Snapshot, modelVersion: string, bankTenantIds: string[]): Promise<{ whitelisted: number; dispatched: number }> {
  const department = await createTenant(store, { kind: 'government', name: 'Demo Development and Reform Commission 示范市发展改革委' });
  const government = await principalOf(store, (await createApiKey(store, department.id, 'government')).key);
  const firms = await store.db.selectFrom('ratings').select(['creditCode', 'grade']).where('modelVersion', '=', modelVersion).where('grade', 'in', ['A', 'B', 'C'])
    .orderBy('score', 'desc').orderBy('creditCode').limit(DEMO_WHITELIST_FIRMS).execute();
  const rows = firms.map((firm, k) => {
    const { industrySection, regionCode } = snapshot.entry(firm.creditCode).enterprise;
    return {
      creditCode: firm.creditCode, name: `Enterprise ${firm.creditCode}`, amountFen: (300_000 + 50_000 * (k % 5)) * YUAN, termMonths: 12, rating: firm.grade,
      expectedLossBps: DEMO_EXPECTED_LOSS_BPS[firm.grade]!, industrySection, regionCode,
    };
  });
  const { whitelist } = await uploadWhitelist(store, government, { name: '示范市专精特新企业融资白名单 Demo SME whitelist', rows });
  await runDispatch(store, government, whitelist.id, {
    banks: bankTenantIds.map((bankTenantId, k) => ({
      bankTenantId, firmCountMax: 8, amountFenMax: 4_000_000 * YUAN, ratingMin: k === 0 ? 'C' : 'B', expectedLossBpsMax: 150,
      products: [{ productId: `demo-product-${k + 1}`, amountFenMin: 100_000 * YUAN, amountFenMax: 3_000_000 * YUAN, ratings: k === 0 ? ['A', 'B', 'C'] : ['A', 'B'], industries: [], regions: [], rateBps: 400 + 50 * k }],
    })),
  });
  const dispatched = await store.db.selectFrom('whitelistFirms').select((eb) => eb.fn.countAll<string>().as('n')).where('whitelistId', '=', whitelist.id).where('status', '=', 'dispatched').executeTakeFirstOrThrow();
  return { whitelisted: whitelist.accepted, dispatched: Number(dispatched.n) };
}
