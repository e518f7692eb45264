/**
 * Step 3: trade. Each month every firm has a revenue target; its invoiced part must be bought by other
 * firms of the economy, so sales (rows) and purchases (columns) are balanced over the supplier network by
 * iterative proportional fitting (RAS). Each edge's monthly flow becomes invoices under the seller's
 * invoice cap (最高开票限额), with a few red-letter reversals and voids. Fraud overlays add their flows.
 * Every invoice is written once: it is one firm's sale and another's purchase.
 */
import { dayOfMonthIndex, isoDateOfDay, monthIndexOfDay } from '../domain/period.ts';
import { taxFenOf } from '../domain/money.ts';
import { INDUSTRY_PROFILES, type SynthConfig } from './config.ts';
import type { CsvFileWriter } from './csv-writer.ts';
import { type Firms, fraudKindOf, HIGH_DEGREE_RING_PREFIX } from './firms.ts';
import { DISTRESS, NO_DEFAULT, type HealthPaths } from './health.ts';
import { Rng, WeightedTable } from './random.ts';

const RAS_ITERATIONS = 12;
const INVOICES_PER_EDGE_MONTH_MAX = 60;
const RED_INVOICE_PROBABILITY = 0.015;
const VOID_INVOICE_PROBABILITY = 0.003;
/** Months a firm keeps trading (shrinking) after it defaults. */
export const TRADING_MONTHS_AFTER_DEFAULT = 6;
/** Rate for small-scale taxpayers: 3% reduced to 1% until 2027-12-31 (财政部 税务总局公告2023年第19号). */
export const SMALL_SCALE_RATE_BPS = 100;

/** Per firm and month: what the invoices add up to, read by the filings step. */
export interface TradeLedger {
  revenueFen: Float64Array;
  salesInvoicedFen: Float64Array;
  salesTaxFen: Float64Array;
  purchasesFen: Float64Array;
  deductibleInputTaxFen: Float64Array;
  salesInvoiceCount: Uint32Array;
  customerCount: Uint16Array;
  topCustomerFen: Float64Array;
  specialSalesFen: Float64Array;
}

interface Edges { seller: Int32Array; buyer: Int32Array; weight: Float64Array; regular: Uint8Array }

interface Overlay {
  seller: number; buyer: number; amountFen: number; day: number;
  /** Whole invoices of exactly amountFen each (rings), instead of a flow split under the cap. */
  invoices?: number;
  /**
   * The draws of an earlier version's ring flow, made and discarded: they keep every other invoice of the
   * economy as it was, so changing how rings invoice does not re-draw the honest economy other parts are tested on.
   */
  discard?: boolean;
}

export function simulateTrade(
  firms: Firms, paths: HealthPaths, config: SynthConfig, invoiceWriter: CsvFileWriter, onMonth: (done: number, total: number) => void = () => {},
): TradeLedger {
  const n = firms.count;
  const months = firms.months;
  const cells = n * months;
  const ledger: TradeLedger = {
    revenueFen: new Float64Array(cells), salesInvoicedFen: new Float64Array(cells), salesTaxFen: new Float64Array(cells),
    purchasesFen: new Float64Array(cells), deductibleInputTaxFen: new Float64Array(cells),
    salesInvoiceCount: new Uint32Array(cells), customerCount: new Uint16Array(cells), topCustomerFen: new Float64Array(cells),
    specialSalesFen: new Float64Array(cells),
  };
  const rng = new Rng(config.seed, 'trade');
  const edges = buildEdges(firms, new Rng(config.seed, 'edges'));
  const overlays = new FraudOverlays(firms, new Rng(config.seed, 'overlays'), new Rng(config.seed, 'ring-styles'));
  const issuer = new InvoiceIssuer(firms, ledger, invoiceWriter, new Rng(config.seed, 'invoices'));
  const salesTarget = new Float64Array(n);
  const purchaseTarget = new Float64Array(n);
  const flow = new Float64Array(edges.seller.length);
  for (let t = 0; t < months; t++) {
    monthlyTargets(firms, paths, ledger, t, rng, salesTarget, purchaseTarget);
    balanceFlows(edges, salesTarget, purchaseTarget, flow, rng);
    for (let e = 0; e < flow.length; e++) {
      if (flow[e]! > 0) issuer.trade(edges.seller[e]!, edges.buyer[e]!, flow[e]!, t, 1 + rng.int(28));
    }
    for (const overlay of overlays.flowsOf(t, ledger)) {
      if (overlay.invoices) issuer.wholeInvoices(overlay.seller, overlay.buyer, overlay.amountFen, overlay.invoices, t, overlay.day);
      else issuer.trade(overlay.seller, overlay.buyer, overlay.amountFen, t, overlay.day, overlay.discard === true);
    }
    onMonth(t + 1, months);
  }
  return ledger;
}

function seasonal(profileIndex: number, calendarMonth: number): number {
  const profile = INDUSTRY_PROFILES[profileIndex]!;
  const wave = 1 + profile.seasonalAmplitude * Math.cos((2 * Math.PI * (calendarMonth - profile.peakMonth)) / 12);
  return calendarMonth === 2 ? wave * 0.8 : wave; // the Spring Festival month is slow everywhere
}

/** Expected deductible input rate of a general taxpayer of a profile, from its supplier sections. */
function expectedInputRate(profileIndex: number): number {
  const suppliers = Object.entries(INDUSTRY_PROFILES[profileIndex]!.suppliers);
  let weighted = 0;
  let total = 0;
  for (const [section, weight] of suppliers) {
    const supplier = INDUSTRY_PROFILES.find((p) => p.section === section);
    weighted += (supplier ? supplier.vatRateBps / 10_000 : 0.13) * weight;
    total += weight;
  }
  return (weighted / total) * 0.93;
}

function monthlyTargets(
  firms: Firms, paths: HealthPaths, ledger: TradeLedger, t: number, rng: Rng,
  salesTarget: Float64Array, purchaseTarget: Float64Array,
): void {
  const months = firms.months;
  const calendarMonth = ((firms.startIndex + t) % 12) + 1;
  for (let i = 0; i < firms.count; i++) {
    const revenue = revenueOf(firms, paths, i, t, calendarMonth, rng);
    ledger.revenueFen[i * months + t] = revenue;
    const profileIndex = firms.profile[i]!;
    const profile = INDUSTRY_PROFILES[profileIndex]!;
    const kind = fraudKindOf(firms, i);
    let invoiced = profile.invoicedShare * (firms.individual[i] ? 0.4 : 1);
    let purchases: number;
    if (firms.general[i]) {
      purchases = Math.min(0.97, (profile.vatRateBps / 10_000 - profile.vatBurdenTarget) / expectedInputRate(profileIndex));
    } else {
      purchases = 0.5; // small-scale firms cannot deduct, and buy much without invoices
    }
    if (kind === 'pass_through') { invoiced = 1; purchases = 0; } // its purchases mirror its sales (overlay)
    if (kind === 'burst_invoicing') purchases = 0; // its purchases come with the burst (overlay)
    // The invoiced share is a cap: the economy is closed (every invoiced sale is some firm's purchase), so
    // what buyers need decides what is invoiced, and the rest of the revenue is declared uninvoiced.
    salesTarget[i] = revenue * invoiced;
    purchaseTarget[i] = revenue * purchases;
  }
}

function revenueOf(firms: Firms, paths: HealthPaths, i: number, t: number, calendarMonth: number, rng: Rng): number {
  const noise = Math.exp(INDUSTRY_PROFILES[firms.profile[i]!]!.salesVolatility * rng.normal());
  const first = firms.firstMonth[i]!;
  if (t < first) return 0;
  const defaultMonth = paths.defaultMonth[i]!;
  if (defaultMonth !== NO_DEFAULT && t >= defaultMonth + TRADING_MONTHS_AFTER_DEFAULT) return 0;
  const health = paths.health[i * firms.months + t]!;
  let revenue = (firms.revenueYuan[i]! * 100) / 12;
  revenue *= seasonal(firms.profile[i]!, calendarMonth) * Math.exp((firms.growthAnnual[i]! * t) / 12);
  revenue *= Math.exp(0.3 * health) * noise * Math.min(1, (t - first + 1) / 6);
  revenue *= 1 - DISTRESS.salesLoss * paths.distress[i * firms.months + t]!;
  if (defaultMonth !== NO_DEFAULT && t >= defaultMonth - 2) revenue *= Math.pow(0.6, t - defaultMonth + 3);
  return revenue;
}

function buildEdges(firms: Firms, rng: Rng): Edges {
  const bySection = new Map<string, number[]>();
  for (let i = 0; i < firms.count; i++) {
    const section = INDUSTRY_PROFILES[firms.profile[i]!]!.section;
    if (!bySection.has(section)) bySection.set(section, []);
    bySection.get(section)!.push(i);
  }
  const tables = new Map<string, WeightedTable>();
  for (const [section, members] of bySection) tables.set(section, new WeightedTable(members.map((i) => Math.pow(firms.revenueYuan[i]!, 0.8))));
  const seller: number[] = [];
  const buyer: number[] = [];
  const hasCustomer = new Uint8Array(firms.count);
  for (let b = 0; b < firms.count; b++) {
    const profile = INDUSTRY_PROFILES[firms.profile[b]!]!;
    const sections = Object.keys(profile.suppliers).filter((s) => bySection.has(s));
    if (sections.length === 0) continue;
    const weights = sections.map((s) => profile.suppliers[s]!);
    const supplierCount = Math.min(12, 2 + rng.poisson(1 + Math.max(0, Math.log10(firms.revenueYuan[b]! / 1e6))));
    const chosen = new Set<number>();
    for (let attempt = 0; attempt < supplierCount * 4 && chosen.size < supplierCount; attempt++) {
      const section = sections[rng.weighted(weights)]!;
      const s = bySection.get(section)![tables.get(section)!.draw(rng)]!;
      if (s === b || chosen.has(s)) continue;
      if (firms.general[b] && !firms.general[s] && rng.chance(0.85)) continue; // general buyers want special invoices
      chosen.add(s);
    }
    for (const s of [...chosen].sort((x, y) => x - y)) {
      seller.push(s);
      buyer.push(b);
      hasCustomer[s] = 1;
    }
  }
  for (let s = 0; s < firms.count; s++) {
    if (hasCustomer[s]) continue;
    let b = rng.int(firms.count);
    if (b === s) b = (b + 1) % firms.count;
    seller.push(s);
    buyer.push(b);
  }
  const weight = new Float64Array(seller.length);
  const regular = new Uint8Array(seller.length);
  for (let e = 0; e < seller.length; e++) {
    weight[e] = Math.exp(0.8 * rng.normal());
    regular[e] = rng.chance(0.7) ? 1 : 0;
  }
  return { seller: Int32Array.from(seller), buyer: Int32Array.from(buyer), weight, regular };
}

/**
 * RAS with the sellers' invoiced sales as caps: purchases (columns) are fitted exactly where the network
 * can supply them, and no seller invoices more than its cap. What a seller does not invoice is declared
 * as uninvoiced sales on its return.
 */
function balanceFlows(edges: Edges, salesCap: Float64Array, purchaseTarget: Float64Array, flow: Float64Array, rng: Rng): void {
  const n = salesCap.length;
  for (let e = 0; e < flow.length; e++) {
    const active = rng.chance(edges.regular[e] ? 0.92 : 0.4);
    const s = edges.seller[e]!;
    const b = edges.buyer[e]!;
    flow[e] = active && salesCap[s]! > 0 && purchaseTarget[b]! > 0 ? edges.weight[e]! * Math.exp(0.3 * rng.normal()) : 0;
  }
  const sums = new Float64Array(n);
  const sumBy = (side: Int32Array) => {
    sums.fill(0);
    for (let e = 0; e < flow.length; e++) sums[side[e]!]! += flow[e]!;
  };
  for (let iteration = 0; iteration < RAS_ITERATIONS; iteration++) {
    sumBy(edges.buyer);
    for (let e = 0; e < flow.length; e++) {
      const sum = sums[edges.buyer[e]!]!;
      flow[e] = sum > 0 ? (flow[e]! * purchaseTarget[edges.buyer[e]!]!) / sum : 0;
    }
    sumBy(edges.seller);
    for (let e = 0; e < flow.length; e++) {
      const sum = sums[edges.seller[e]!]!;
      const cap = salesCap[edges.seller[e]!]!;
      if (sum > cap) flow[e] = (flow[e]! * cap) / sum;
    }
  }
}

/** Turns flows into invoice rows and keeps the ledger of both sides. */
class InvoiceIssuer {
  private sequence = 0;

  constructor(
    private readonly firms: Firms,
    private readonly ledger: TradeLedger,
    private readonly writer: CsvFileWriter,
    private readonly rng: Rng,
  ) {}

  trade(seller: number, buyer: number, amountFen: number, t: number, day: number, discard = false): void {
    const firms = this.firms;
    const cap = firms.invoiceCapFen[seller]!;
    const total = Math.min(Math.round(amountFen), cap * INVOICES_PER_EDGE_MONTH_MAX);
    if (total < 100) return;
    const special = firms.general[seller]
      ? (firms.general[buyer] ? this.rng.chance(0.95) : this.rng.chance(0.2))
      : firms.general[buyer] === 1 && this.rng.chance(0.4);
    const rateBps = firms.general[seller] ? INDUSTRY_PROFILES[firms.profile[seller]!]!.vatRateBps : SMALL_SCALE_RATE_BPS;
    const cell = seller * firms.months + t;
    if (!discard) {
      this.ledger.customerCount[cell]!++;
      this.ledger.topCustomerFen[cell] = Math.max(this.ledger.topCustomerFen[cell]!, total);
    }
    const fullCap = Math.floor(total / cap);
    const pieces = fullCap > 0 ? [] : splitAmount(this.rng, total, 1 + Math.min(3, this.rng.poisson(0.5)));
    for (let k = 0; k < fullCap; k++) pieces.push(cap - 100 * this.rng.int(5000)); // splitting at the cap, as firms do
    if (fullCap > 0) {
      const rest = total - pieces.reduce((sum, piece) => sum + piece, 0);
      if (rest >= 100) pieces.push(rest);
    }
    const issueDay = dayOfMonthIndex(firms.startIndex + t, Math.min(28, Math.max(1, day)));
    for (const piece of pieces) this.issue(seller, buyer, piece, rateBps, special, issueDay, t, discard);
  }

  /** Invoices of exactly one amount each, never voided or reversed: how a ring passes the same invoice amount on. */
  wholeInvoices(seller: number, buyer: number, amountFen: number, count: number, t: number, day: number): void {
    const firms = this.firms;
    const rateBps = firms.general[seller] ? INDUSTRY_PROFILES[firms.profile[seller]!]!.vatRateBps : SMALL_SCALE_RATE_BPS;
    const issueDay = dayOfMonthIndex(firms.startIndex + t, Math.min(28, Math.max(1, day)));
    const taxFen = taxFenOf(amountFen, rateBps);
    const cell = seller * firms.months + t;
    this.ledger.customerCount[cell]!++;
    this.ledger.topCustomerFen[cell] = Math.max(this.ledger.topCustomerFen[cell]!, amountFen * count);
    for (let k = 0; k < count; k++) {
      const number = this.nextRingNumber(seller, issueDay);
      this.writer.row([number, firms.code[seller]!, firms.code[buyer]!, isoDateOfDay(issueDay), amountFen, taxFen, rateBps, 'special', 'normal', null, firms.division[seller]!]);
      this.book(seller, buyer, amountFen, taxFen, true, t);
    }
  }

  private issue(seller: number, buyer: number, amountFen: number, rateBps: number, special: boolean, issueDay: number, t: number, discard = false): void {
    const firms = this.firms;
    const number = this.nextNumber(seller, issueDay);
    const taxFen = taxFenOf(amountFen, rateBps);
    const voided = this.rng.chance(VOID_INVOICE_PROBABILITY);
    const kind = special ? 'special' : 'ordinary';
    const category = firms.division[seller]!;
    if (!discard) this.writer.row([number, firms.code[seller]!, firms.code[buyer]!, isoDateOfDay(issueDay), amountFen, taxFen, rateBps, kind, voided ? 'void' : 'normal', null, category]);
    if (voided) return;
    if (!discard) this.book(seller, buyer, amountFen, taxFen, special, t);
    if (!this.rng.chance(RED_INVOICE_PROBABILITY)) return;
    const redDay = issueDay + 3 + this.rng.int(38);
    const redMonth = monthIndexOfDay(redDay) - firms.startIndex;
    if (redMonth >= firms.months) return;
    const redAmount = this.rng.chance(0.6) ? amountFen : Math.max(1, Math.round(amountFen * this.rng.between(0.05, 0.3)));
    const redTax = taxFenOf(redAmount, rateBps);
    if (discard) { this.nextNumber(seller, redDay); return; }
    this.writer.row([this.nextNumber(seller, redDay), firms.code[seller]!, firms.code[buyer]!, isoDateOfDay(redDay), -redAmount, -redTax, rateBps, kind, 'red', number, category]);
    this.book(seller, buyer, -redAmount, -redTax, special, redMonth);
  }

  private book(seller: number, buyer: number, amountFen: number, taxFen: number, special: boolean, t: number): void {
    const months = this.firms.months;
    const sellerCell = seller * months + t;
    const buyerCell = buyer * months + t;
    this.ledger.salesInvoicedFen[sellerCell]! += amountFen;
    this.ledger.salesTaxFen[sellerCell]! += taxFen;
    this.ledger.salesInvoiceCount[sellerCell]!++;
    if (special) this.ledger.specialSalesFen[sellerCell]! += amountFen;
    this.ledger.purchasesFen[buyerCell]! += amountFen;
    if (special && this.firms.general[buyer]) this.ledger.deductibleInputTaxFen[buyerCell]! += taxFen;
  }

  private ringSequence = 0;

  /** Ring invoices are numbered on channel 1, so the other invoices keep their numbers. */
  private nextRingNumber(seller: number, day: number): string {
    this.ringSequence++;
    return `${isoDateOfDay(day).slice(2, 4)}${this.firms.region[seller]!.slice(0, 2)}1${String(this.ringSequence).padStart(15, '0')}`;
  }

  /** 20-digit fully-digital invoice number: year (2), province (2), channel (1), sequence (15). */
  private nextNumber(seller: number, day: number): string {
    this.sequence++;
    const year = isoDateOfDay(day).slice(2, 4);
    return `${year}${this.firms.region[seller]!.slice(0, 2)}0${String(this.sequence).padStart(15, '0')}`;
  }
}

function splitAmount(rng: Rng, total: number, parts: number): number[] {
  if (parts <= 1 || total < parts * 10_000) return [total];
  const weights = Array.from({ length: parts }, () => 0.5 + rng.next());
  const sum = weights.reduce((a, b) => a + b, 0);
  const pieces = weights.map((w) => Math.floor((total * w) / sum));
  pieces[0]! += total - pieces.reduce((a, b) => a + b, 0);
  return pieces;
}

/** The planted fraud's own invoice flows: rings, shells, burst invoicing and pass-through purchases. */
class FraudOverlays {
  /** Ring invoices by month: whole invoices of one amount per leg and round (see planRing). */
  private readonly ringFlows = new Map<number, Overlay[]>();
  /** The earlier version's rings and base amounts, whose draws are made and discarded (see Overlay.discard). */
  private readonly legacyRings: number[][] = [];
  private readonly legacyRingBaseFen: number[] = [];
  private readonly shellEdges: [number, number, number][] = [];
  private readonly bursts: { firm: number; buyers: number[]; suppliers: number[]; baseFen: number }[] = [];
  private readonly passThrough: { firm: number; suppliers: number[] }[] = [];

  constructor(private readonly firms: Firms, private readonly rng: Rng, ringRng: Rng) {
    const groups = new Map<string, number[]>();
    for (let i = 0; i < firms.count; i++) {
      const group = firms.fraudGroup[i];
      if (group) groups.set(group, [...(groups.get(group) ?? []), i]);
    }
    const generalSuppliers: number[] = [];
    const generalBuyers: number[] = [];
    for (let i = 0; i < firms.count; i++) {
      // Rings among high-degree firms came later: they stay in the pools, so the pools are drawn as before.
      const highDegreeRing = firms.fraudGroup[i]?.startsWith(HIGH_DEGREE_RING_PREFIX) === true;
      if ((firms.fraud[i] !== 0 && !highDegreeRing) || !firms.general[i] || firms.firstMonth[i] !== 0) continue;
      const section = INDUSTRY_PROFILES[firms.profile[i]!]!.section;
      if (section === 'C' || section === 'F') generalSuppliers.push(i);
      generalBuyers.push(i);
    }
    for (const members of groups.values()) {
      const kind = fraudKindOf(firms, members[0]!);
      if (kind === 'ring' && members.length >= 3) {
        if (firms.fraudGroup[members[0]!]!.startsWith(HIGH_DEGREE_RING_PREFIX)) continue;
        this.legacyRings.push(members);
        const medianMonthly = members.map((i) => (firms.revenueYuan[i]! * 100) / 12).sort((a, b) => a - b)[members.length >> 1]!;
        const capacity = 0.8 * INVOICES_PER_EDGE_MONTH_MAX * Math.min(...members.map((i) => firms.invoiceCapFen[i]!));
        this.legacyRingBaseFen.push(Math.min(capacity, medianMonthly * rng.between(0.8, 2)));
      } else if (kind === 'shell') {
        for (const s of members) for (const b of members) if (s !== b && rng.chance(0.6)) this.shellEdges.push([s, b, 30_000_000 * rng.between(0.5, 2)]);
      } else if (kind === 'burst_invoicing') {
        const firm = members[0]!;
        this.bursts.push({ firm, buyers: pickSome(rng, generalBuyers, 5 + rng.int(10)), suppliers: pickSome(rng, generalSuppliers, 2 + rng.int(2)), baseFen: 150_000_000 * rng.between(0.7, 2) });
      } else if (kind === 'pass_through') {
        this.passThrough.push({ firm: members[0]!, suppliers: pickSome(rng, generalSuppliers, 1 + rng.int(3)) });
      }
    }
    for (const members of groups.values()) if (fraudKindOf(firms, members[0]!) === 'ring' && members.length >= 3) this.planRing(members, ringRng);
  }

  /**
   * One ring's invoices. The same invoice amount goes round the loop (an amount under every member's cap,
   * in whole thousands of yuan); each leg repeats it a slightly different number of times per round; in a
   * third of the rings each hop keeps a commission of 0.5–3% and passes the rest on. Timing: monthly rounds
   * through the year before the observation date (legs on consecutive days); scattered rounds whose legs
   * fall in random months of that year; one big round in one month; or rounds in only the last 2–4 months
   * (a short history).
   */
  private planRing(members: number[], rng: Rng): void {
    const firms = this.firms;
    const obs = firms.observationIndex;
    const medianMonthly = members.map((i) => (firms.revenueYuan[i]! * 100) / 12).sort((a, b) => a - b)[members.length >> 1]!;
    const capMin = Math.min(...members.map((i) => firms.invoiceCapFen[i]!));
    const amountFen = Math.max(100_000, Math.round((capMin * rng.between(0.4, 0.9)) / 100_000) * 100_000);
    const commission = rng.chance(0.35) ? rng.between(0.005, 0.03) : 0;
    const roll = rng.next();
    const timing = roll < 0.45 ? 'monthly' : roll < 0.7 ? 'scattered' : roll < 0.85 ? 'once' : 'short';
    const perMonthFen = medianMonthly * rng.between(0.8, 2) * (timing === 'once' ? 4 : 1);
    const perRound = Math.max(1, Math.min(INVOICES_PER_EDGE_MONTH_MAX - 2, Math.round(perMonthFen / amountFen)));
    const months = timing === 'monthly' ? range(obs - 12, obs + 2) : timing === 'scattered' ? range(0, 2 + rng.int(6)).map(() => obs - 11)
      : timing === 'once' ? [obs - 11 + rng.int(11)] : range(obs - 2 - rng.int(3), obs - 1);
    for (const month of months) {
      const startDay = 3 + rng.int(12);
      members.forEach((seller, k) => {
        const buyer = members[(k + 1) % members.length]!;
        const legMonth = timing === 'scattered' ? obs - 11 + rng.int(11) : month;
        const count = Math.max(1, perRound + rng.int(3) - 1);
        const legAmount = Math.round(amountFen * Math.pow(1 - commission, k));
        const list = this.ringFlows.get(legMonth) ?? [];
        list.push({ seller, buyer, amountFen: legAmount, day: timing === 'scattered' ? 1 + rng.int(28) : startDay + k, invoices: count });
        this.ringFlows.set(legMonth, list);
      });
    }
  }

  flowsOf(t: number, ledger: TradeLedger): Overlay[] {
    const firms = this.firms;
    const flows: Overlay[] = [];
    const cell = (i: number) => i * firms.months + t;
    for (const { firm, suppliers } of this.passThrough) {
      const sales = ledger.salesInvoicedFen[cell(firm)]!;
      if (sales <= 0 || suppliers.length === 0) continue;
      const purchases = sales * this.rng.between(0.96, 0.995);
      for (const s of suppliers) flows.push({ seller: s, buyer: firm, amountFen: purchases / suppliers.length, day: 1 + this.rng.int(10) });
    }
    const obs = firms.observationIndex;
    if (t >= obs - 12 && t <= obs + 2) {
      this.legacyRings.forEach((members, g) => {
        const startDay = 3 + this.rng.int(12);
        members.forEach((s, k) => {
          flows.push({ seller: s, buyer: members[(k + 1) % members.length]!, amountFen: this.legacyRingBaseFen[g]! * this.rng.between(0.97, 1.03), day: startDay + k, discard: true });
        });
      });
    }
    flows.push(...(this.ringFlows.get(t) ?? []));
    for (const [s, b, amount] of this.shellEdges) {
      if (t >= firms.firstMonth[s]! && t >= firms.firstMonth[b]!) flows.push({ seller: s, buyer: b, amountFen: amount * Math.exp(0.2 * this.rng.normal()), day: 1 + this.rng.int(28) });
    }
    for (const burst of this.bursts) {
      if (t < firms.firstMonth[burst.firm]!) continue;
      const total = burst.baseFen * Math.min(2, 1 + 0.25 * (t - firms.firstMonth[burst.firm]!));
      for (const b of burst.buyers) flows.push({ seller: burst.firm, buyer: b, amountFen: total / burst.buyers.length, day: 5 + this.rng.int(20) });
      for (const s of burst.suppliers) flows.push({ seller: s, buyer: burst.firm, amountFen: (0.9 * total) / burst.suppliers.length, day: 1 + this.rng.int(20) });
    }
    return flows;
  }
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, k) => first + k);
}

function pickSome(rng: Rng, pool: readonly number[], count: number): number[] {
  const picked = new Set<number>();
  for (let attempt = 0; attempt < count * 5 && picked.size < Math.min(count, pool.length); attempt++) picked.add(pool[rng.int(pool.length)]!);
  return [...picked].sort((a, b) => a - b);
}
