/** Step 1 of the economy: the enterprises, their profiles and planted fraud groups. */
import { composeCreditCode } from '../domain/credit-code.ts';
import { dayOfMonthIndex, isoDateOfDay, monthIndex } from '../domain/period.ts';
import { FRAUD_KINDS, type FraudKind } from '../domain/entities.ts';
import { INDUSTRY_SECTIONS } from '../domain/reference.ts';
import { INDUSTRY_PROFILES, observationMonthOf, startMonthOf, type SynthConfig } from './config.ts';
import { enterpriseName, SYNTH_PROVINCES } from './names.ts';
import { Rng } from './random.ts';

const ORG_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** Annual sales (yuan) from which a firm must register as a general VAT taxpayer (domain.md §1c). */
export const GENERAL_TAXPAYER_THRESHOLD_YUAN = 5_000_000;

export interface Firms {
  count: number;
  /** Month index (absolute) of the first month of data. */
  startIndex: number;
  months: number;
  observationIndex: number;
  code: string[];
  name: string[];
  profile: Uint8Array;
  division: string[];
  region: string[];
  establishedDay: Int32Array;
  /** First month (relative to the start) in which the firm trades. */
  firstMonth: Int32Array;
  general: Uint8Array;
  individual: Uint8Array;
  revenueYuan: Float64Array;
  growthAnnual: Float64Array;
  healthBase: Float64Array;
  invoiceCapFen: Float64Array;
  capitalFen: Float64Array;
  legalRepId: string[];
  legalRepBirthYear: Int32Array;
  phone: string[];
  address: string[];
  fraud: Uint8Array;
  fraudGroup: (string | null)[];
}

export function fraudKindOf(firms: Firms, index: number): FraudKind {
  return FRAUD_KINDS[firms.fraud[index]!]!;
}

/**
 * The typology a firm's filings and credit history behave as: a ring among high-degree firms files and
 * borrows like the honest firm it otherwise is (its ring shows only in its invoices and its label).
 */
export function behaviourKindOf(firms: Firms, index: number): FraudKind {
  return firms.fraudGroup[index]?.startsWith(HIGH_DEGREE_RING_PREFIX) ? 'none' : fraudKindOf(firms, index);
}

export function createFirms(config: SynthConfig): Firms {
  const rng = new Rng(config.seed, 'firms');
  const count = config.enterprises;
  const startIndex = monthIndex(startMonthOf(config));
  const firms: Firms = {
    count, startIndex, months: config.months, observationIndex: monthIndex(observationMonthOf(config)) - startIndex,
    code: [], name: [], profile: new Uint8Array(count), division: [], region: [], establishedDay: new Int32Array(count),
    firstMonth: new Int32Array(count), general: new Uint8Array(count), individual: new Uint8Array(count),
    revenueYuan: new Float64Array(count), growthAnnual: new Float64Array(count), healthBase: new Float64Array(count),
    invoiceCapFen: new Float64Array(count), capitalFen: new Float64Array(count), legalRepId: [],
    legalRepBirthYear: new Int32Array(count), phone: [], address: [], fraud: new Uint8Array(count), fraudGroup: [],
  };
  const usedCodes = new Set<string>();
  const profileWeights = INDUSTRY_PROFILES.map((p) => p.share);
  const provinceWeights = SYNTH_PROVINCES.map((p) => p.weight);
  for (let i = 0; i < count; i++) {
    const profileIndex = rng.weighted(profileWeights);
    const profile = INDUSTRY_PROFILES[profileIndex]!;
    const province = SYNTH_PROVINCES[rng.weighted(provinceWeights)]!;
    firms.profile[i] = profileIndex;
    firms.division.push(divisionOf(rng, profile.section));
    const region = `${province.code}${String(1 + rng.int(5)).padStart(2, '0')}${String(2 + rng.int(8)).padStart(2, '0')}`;
    firms.region.push(region);
    // Age at the start of data: exponential, mean 6 years, at most 30; about 12% are founded during the span.
    const foundedInSpan = rng.chance(0.12);
    const ageMonths = foundedInSpan ? -(1 + rng.int(config.months - 3)) : Math.min(360, Math.floor(-72 * Math.log(1 - rng.next())) + 1);
    setEstablished(firms, i, ageMonths, rng);
    const revenueYuan = profile.revenueMedianYuan * Math.exp(1.1 * rng.normal()) * (ageMonths < 24 ? 0.6 : 1);
    firms.revenueYuan[i] = revenueYuan;
    const general = revenueYuan >= GENERAL_TAXPAYER_THRESHOLD_YUAN || rng.chance(0.25);
    firms.general[i] = general ? 1 : 0;
    firms.individual[i] = !general && (profile.section === 'F' || profile.section === 'H' || profile.section === 'O') && rng.chance(0.35) ? 1 : 0;
    firms.growthAnnual[i] = profile.growthAnnual + 0.08 * rng.normal();
    // Older firms are healthier on average; the industry shifts the mean (assumption, see docs).
    firms.healthBase[i] = profile.healthShift + 0.25 * Math.tanh((ageMonths - 36) / 48) + 0.6 * rng.normal();
    firms.invoiceCapFen[i] = general && revenueYuan > 10_000_000 ? 100_000_000 : 10_000_000;
    firms.capitalFen[i] = Math.round(Math.max(10_000, revenueYuan * rng.between(0.05, 0.5)) / 10_000) * 10_000 * 100;
    firms.legalRepId.push(rng.hex16());
    firms.legalRepBirthYear[i] = legalRepBirthYear(rng.next());
    firms.phone.push(rng.hex16());
    firms.address.push(rng.hex16());
    firms.code.push(uniqueCode(rng, firms.individual[i] ? '92' : '91', region, usedCodes));
    firms.name.push(enterpriseName(rng, province.city, profile.section, firms.individual[i] === 1));
    firms.fraudGroup.push(null);
  }
  plantFraudGroups(firms, config);
  plantHighDegreeRings(firms, config, 1);
  plantAgentAddresses(firms, config);
  return firms;
}

function setEstablished(firms: Firms, i: number, ageMonthsAtStart: number, rng: Rng): void {
  const establishedIndex = firms.startIndex - ageMonthsAtStart;
  firms.establishedDay[i] = dayOfMonthIndex(establishedIndex, 1 + rng.int(28));
  firms.firstMonth[i] = Math.max(0, establishedIndex - firms.startIndex + 1);
}

function divisionOf(rng: Rng, sectionCode: string): string {
  const section = INDUSTRY_SECTIONS.find((s) => s.code === sectionCode)!;
  const division = section.divisionFirst + rng.int(section.divisionLast - section.divisionFirst + 1);
  return String(division).padStart(2, '0');
}

function uniqueCode(rng: Rng, authorityType: string, region: string, used: Set<string>): string {
  for (let attempt = 0; attempt < 100; attempt++) {
    let body = 'MA';
    for (let k = 0; k < 6; k++) body += ORG_CHARSET.charAt(rng.int(ORG_CHARSET.length));
    const code = composeCreditCode(authorityType, region, body);
    if (!used.has(code)) {
      used.add(code);
      return code;
    }
  }
  throw new Error('could not draw a unique credit code in 100 attempts');
}

const FRAUD_INDEX: Record<FraudKind, number> = Object.fromEntries(FRAUD_KINDS.map((kind, i) => [kind, i])) as Record<FraudKind, number>;

/** Picks disjoint groups of firms for each fraud typology and reshapes them as that typology needs. */
function plantFraudGroups(firms: Firms, config: SynthConfig): void {
  const rng = new Rng(config.seed, 'fraud-groups');
  const free = (i: number) => firms.fraud[i] === 0;
  const established = (i: number, minAgeMonths: number) => firms.firstMonth[i]! === 0 && firms.establishedDay[i]! <= dayOfMonthIndex(firms.startIndex - minAgeMonths);
  const candidates = (predicate: (i: number) => boolean) => {
    const list: number[] = [];
    for (let i = 0; i < firms.count; i++) if (free(i) && predicate(i)) list.push(i);
    return list;
  };
  const take = (pool: number[]) => {
    while (pool.length > 0) {
      const index = pool.splice(rng.int(pool.length), 1)[0]!;
      if (free(index)) return index;
    }
    return -1;
  };
  const mark = (i: number, kind: FraudKind, group: string) => {
    firms.fraud[i] = FRAUD_INDEX[kind];
    firms.fraudGroup[i] = group;
  };
  const n = firms.count;
  const obs = firms.observationIndex;

  // Circular-invoicing rings: 3-8 established general taxpayers each.
  const ringPool = candidates((i) => firms.general[i] === 1 && established(i, 12));
  let ringMembers = Math.round(n * config.fraud.ring);
  for (let g = 1; ringMembers >= 3; g++) {
    const size = Math.min(ringMembers, 3 + rng.int(6));
    if (size < 3) break;
    for (let k = 0; k < size; k++) { const i = take(ringPool); if (i >= 0) mark(i, 'ring', `RING-${g}`); }
    ringMembers -= size;
  }
  // Pass-through companies: general wholesale firms.
  const passPool = candidates((i) => firms.general[i] === 1 && INDUSTRY_PROFILES[firms.profile[i]!]!.section === 'F' && established(i, 12));
  for (let k = 1; k <= Math.round(n * config.fraud.passThrough); k++) { const i = take(passPool); if (i >= 0) mark(i, 'pass_through', `PASS-${k}`); }
  // Shell clusters: 3-6 young firms behind one person, phone and address.
  const shellPool = candidates((i) => firms.individual[i] === 0);
  let shellMembers = Math.round(n * config.fraud.shell);
  for (let g = 1; shellMembers >= 3; g++) {
    const size = Math.min(shellMembers, 3 + rng.int(4));
    const person = rng.hex16(); const phone = rng.hex16(); const address = rng.hex16();
    for (let k = 0; k < size; k++) {
      const i = take(shellPool);
      if (i < 0) continue;
      mark(i, 'shell', `SHELL-${g}`);
      firms.legalRepId[i] = person; firms.phone[i] = phone; firms.address[i] = address;
      setEstablished(firms, i, -(obs - 18 + rng.int(10)), rng);
      firms.revenueYuan[i] = 300_000 * rng.between(0.5, 1.5);
      firms.capitalFen[i] = (100_000 + 10_000 * rng.int(40)) * 100; // a shell's capital is small: 10万–50万 yuan
      firms.general[i] = 1; firms.invoiceCapFen[i] = 10_000_000;
    }
    shellMembers -= size;
  }
  const singles: [FraudKind, number, string, (i: number) => boolean][] = [
    ['correction_inflation', config.fraud.correctionInflation, 'CORR', (i) => established(i, 12)],
    ['single_source', config.fraud.singleSource, 'SRC', (i) => established(i, 12) && firms.individual[i] === 0],
    ['burst_invoicing', config.fraud.burstInvoicing, 'BURST', (i) => firms.individual[i] === 0],
  ];
  for (const [kind, share, prefix, predicate] of singles) {
    const pool = candidates(predicate);
    for (let k = 1; k <= Math.round(n * share); k++) {
      const i = take(pool);
      if (i < 0) continue;
      mark(i, kind, `${prefix}-${k}`);
      if (kind === 'burst_invoicing') {
        setEstablished(firms, i, -(obs - 3 - rng.int(4)), rng);
        firms.general[i] = 1; firms.invoiceCapFen[i] = 10_000_000; firms.revenueYuan[i] = 200_000;
        firms.capitalFen[i] = (100_000 + 10_000 * rng.int(40)) * 100;
      }
    }
  }
}

/**
 * Rings among high-degree firms: a quarter more ring members, drawn from the largest established general
 * taxpayers (the firms with the most suppliers and customers), on a stream of their own so the groups
 * planted before them stay as they were. Their loop is a small share of their sales and their legs sit
 * among many honest ones. They dress up sales and keep trading: no bust-out after the observation date
 * (health.ts), which also leaves the default calibration of every other firm as it was.
 */
function plantHighDegreeRings(firms: Firms, config: SynthConfig, firstGroup: number): void {
  const rng = new Rng(config.seed, 'fraud-groups-high-degree');
  const pool: number[] = [];
  for (let i = 0; i < firms.count; i++) if (firms.fraud[i] === 0 && firms.general[i] === 1 && firms.firstMonth[i] === 0) pool.push(i);
  pool.sort((a, b) => firms.revenueYuan[b]! - firms.revenueYuan[a]! || a - b);
  const top = pool.slice(0, Math.max(0, Math.floor(pool.length / 10)));
  let members = Math.round(firms.count * config.fraud.ring * 0.25);
  for (let g = firstGroup; members >= 3 && top.length >= 3; g++) {
    const size = Math.min(members, 3 + rng.int(3), top.length);
    for (let k = 0; k < size; k++) {
      const i = top.splice(rng.int(top.length), 1)[0]!;
      firms.fraud[i] = FRAUD_INDEX.ring;
      firms.fraudGroup[i] = `${HIGH_DEGREE_RING_PREFIX}${g}`;
    }
    members -= size;
  }
}

/** Group names of the rings among high-degree firms: RING-H1, RING-H2 … */
export const HIGH_DEGREE_RING_PREFIX = 'RING-H';

/**
 * Registered-agent addresses: a few addresses each shared by 12–40 honest firms (a business centre that
 * registers companies at its address). Honest: an identity hub, not a shell cluster. Own stream, so the
 * other draws stay as they were.
 */
function plantAgentAddresses(firms: Firms, config: SynthConfig): void {
  const rng = new Rng(config.seed, 'agent-addresses');
  const honest: number[] = [];
  for (let i = 0; i < firms.count; i++) if (firms.fraud[i] === 0) honest.push(i);
  const hubs = Math.max(1, Math.round(firms.count / 1000));
  for (let h = 0; h < hubs; h++) {
    const address = rng.hex16();
    const size = Math.min(honest.length, 12 + rng.int(29));
    for (let k = 0; k < size; k++) firms.address[honest.splice(rng.int(honest.length), 1)[0]!] = address;
  }
}

export function establishedIsoDate(firms: Firms, i: number): string {
  return isoDateOfDay(firms.establishedDay[i]!);
}

/**
 * Birth year of a legal representative from one uniform draw: a symmetric triangular distribution over
 * 1956..1999 peaking around 1978 (owners aged 26..69 in 2025, most in their forties; about 8% over 60).
 * Assumption: no official age distribution of SME legal representatives was found.
 */
export function legalRepBirthYear(u: number): number {
  const x = u < 0.5 ? Math.sqrt(u / 2) : 1 - Math.sqrt((1 - u) / 2);
  return 1956 + Math.min(43, Math.floor(44 * x));
}
