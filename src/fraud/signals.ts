/** Fraud signals: a stable code, a severity, text in en and zh, and the evidence a reviewer can check. */
import type { FraudKind } from '../domain/entities.ts';

export type Severity = 'high' | 'medium' | 'low';

export interface SignalDefinition {
  code: string;
  /** The typology a signal is evidence of; null for signals that only call for a look. */
  typology: Exclude<FraudKind, 'none'> | null;
  severity: Severity;
  en: string;
  zh: string;
}

export const SIGNALS = {
  shellCluster: { code: 'FR_SHELL_CLUSTER', typology: 'shell', severity: 'high', en: 'One of several young enterprises behind the same person, phone or address that invoice each other', zh: '同一法人/电话/地址控制的多家新设企业相互开票' },
  ring: { code: 'FR_RING', typology: 'ring', severity: 'high', en: 'Member of a circular-invoicing ring: invoices of equal or commission-reduced amounts go round a loop of enterprises', zh: '参与循环开票：金额相同或逐级扣减手续费的发票在多家企业间循环' },
  burst: { code: 'FR_BURST_INVOICING', typology: 'burst_invoicing', severity: 'high', en: 'New enterprise invoicing heavily at once, far beyond its registered capital', zh: '新设企业短期内大额开票，远超注册资本' },
  passThrough: { code: 'FR_PASS_THROUGH', typology: 'pass_through', severity: 'high', en: 'Pass-through (平进平出): purchases match sales, nothing sold without an invoice, little value added', zh: '平进平出：进项与销项基本相等，几乎无增值' },
  singleSource: { code: 'FR_SINGLE_SOURCE', typology: 'single_source', severity: 'high', en: 'Declared sales far above what the bank account receives', zh: '申报销售额远高于银行流水' },
  correctionUplift: { code: 'FR_CORRECTION_UPLIFT', typology: 'correction_inflation', severity: 'high', en: 'Sales raised by corrected returns (更正申报) shortly before the as-of date', zh: '近期通过更正申报调增销售额' },
  lateBackfill: { code: 'FR_LATE_BACKFILL', typology: null, severity: 'medium', en: 'Several returns filed late (逾期补报) in the last 12 months', zh: '近12个月多次逾期补报' },
  exemptCorrection: { code: 'FR_EXEMPT_CORRECTION', typology: null, severity: 'medium', en: 'A correction moved sales into exempt sales', zh: '更正申报调增免税销售额' },
  taxRefunded: { code: 'FR_TAX_REFUNDED', typology: null, severity: 'medium', en: 'Tax paid and then reduced by a later correction', zh: '已缴税款被后续更正申报调减' },
  identityHub: { code: 'FR_IDENTITY_HUB', typology: null, severity: 'low', en: 'Shares its registered address, phone or legal representative with many enterprises (a registered-agent address or similar)', zh: '与大量企业共用注册地址、电话或法定代表人（疑似集中注册地址）' },
  sourceMismatch: { code: 'FR_SOURCE_MISMATCH', typology: null, severity: 'medium', en: 'Tax returns, invoices and bank flows tell different stories', zh: '纳税申报、发票与银行流水严重不一致' },
} as const satisfies Record<string, SignalDefinition>;

export type SignalName = keyof typeof SIGNALS;

/** When one enterprise carries several typology signals, the first in this order names its typology. */
export const TYPOLOGY_PRIORITY: readonly Exclude<FraudKind, 'none'>[] = ['shell', 'ring', 'burst_invoicing', 'pass_through', 'single_source', 'correction_inflation'];

export interface FraudSignal {
  code: string;
  typology: Exclude<FraudKind, 'none'> | null;
  severity: Severity;
  creditCode: string;
  messageEn: string;
  messageZh: string;
  /** Id of the ring or cluster the signal belongs to, when it has one. */
  group: string | null;
  evidence: Record<string, unknown>;
}

export function signal(name: SignalName, creditCode: string, evidence: Record<string, unknown>, group: string | null = null): FraudSignal {
  const d: SignalDefinition = SIGNALS[name];
  return { code: d.code, typology: d.typology, severity: d.severity, creditCode, messageEn: d.en, messageZh: d.zh, group, evidence };
}
