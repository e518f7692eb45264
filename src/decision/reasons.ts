/**
 * Reason codes: the stable vocabulary a strategy speaks in. A strategy may only emit codes listed here
 * (checked when it is loaded), so a credit officer, an applicant and a report always read the same words.
 * Codes are never renamed or reused; a retired code stays listed.
 */

export type ReasonKind = 'decline' | 'review' | 'limit' | 'price';

export interface ReasonDefinition { kind: ReasonKind; en: string; zh: string }

export const REASONS = {
  // Admission: the enterprise itself.
  D_NOT_ACTIVE: { kind: 'decline', en: 'The enterprise is not in business (not 存续)', zh: '企业非存续状态' },
  D_BUSINESS_AGE: { kind: 'decline', en: 'In business for less than the product requires', zh: '成立年限不足' },
  D_INDUSTRY: { kind: 'decline', en: 'Industry excluded by the product (finance, real estate)', zh: '所属行业为产品禁入行业（金融、房地产）' },
  D_LEGAL_REP_AGE: { kind: 'decline', en: "Legal representative's age outside the product's range", zh: '法定代表人年龄不在准入范围内' },
  // Admission: tax.
  D_TAX_GRADE: { kind: 'decline', en: 'Tax credit grade not accepted by the product', zh: '纳税信用等级不符合准入要求' },
  D_TAX_GRADE_MISSING: { kind: 'decline', en: 'No tax credit grade has been published', zh: '无纳税信用等级评价' },
  D_TAX_PAID_LOW: { kind: 'decline', en: 'Tax paid in the last 12 months below the minimum', zh: '近12个月纳税额低于准入标准' },
  D_TAX_DISCONTINUOUS: { kind: 'decline', en: 'No tax paid in the last 6 months', zh: '近6个月无纳税记录' },
  D_FILING_GAP: { kind: 'decline', en: 'No VAT return filed for the last 3 months', zh: '近3个月未进行增值税申报' },
  D_ZERO_FILINGS: { kind: 'decline', en: 'Six or more zero-sales VAT returns in the last 12 months', zh: '近12个月零申报达6个月及以上' },
  // Admission: invoices.
  D_INVOICE_SALES_LOW: { kind: 'decline', en: 'Invoiced sales in the last 12 months below the minimum', zh: '近12个月开票销售额低于准入标准' },
  D_INVOICE_ACTIVITY: { kind: 'decline', en: 'Invoices issued in too few of the last 12 months', zh: '近12个月开票月份不足' },
  // Admission: credit bureau and courts.
  D_BUREAU_OVERDUE: { kind: 'decline', en: 'A loan is overdue now', zh: '征信存在当前逾期' },
  D_BUREAU_DPD: { kind: 'decline', en: 'Overdue 90 days or more in the last 24 months', zh: '近24个月最长逾期达90天及以上' },
  D_BUREAU_INQUIRIES: { kind: 'decline', en: 'Too many credit inquiries by lenders recently', zh: '近期征信查询次数过多' },
  D_DEBT_HIGH: { kind: 'decline', en: 'Outstanding business loans above the product maximum', zh: '经营性贷款余额超过上限' },
  D_DISHONEST: { kind: 'decline', en: 'Listed as a dishonest judgment debtor (失信被执行人)', zh: '被列为失信被执行人' },
  // Anti-fraud.
  D_FRAUD_RING: { kind: 'decline', en: 'Member of a circular-invoicing ring', zh: '参与循环开票' },
  D_FRAUD_SHELL: { kind: 'decline', en: 'Part of a cluster of shell companies', zh: '疑似空壳企业关联群' },
  D_FRAUD_BURST: { kind: 'decline', en: 'Burst invoicing by a new enterprise', zh: '新设企业突击开票' },
  D_FRAUD_PASS_THROUGH: { kind: 'decline', en: 'Pass-through trading (平进平出)', zh: '平进平出' },
  D_FRAUD_SINGLE_SOURCE: { kind: 'decline', en: 'Declared sales not backed by bank inflows', zh: '申报销售额缺乏银行流水支撑' },
  D_FRAUD_CORRECTION: { kind: 'decline', en: 'Sales inflated by corrected tax returns', zh: '通过更正申报虚增销售额' },
  D_FRAUD_SIGNAL: { kind: 'decline', en: 'A high-severity fraud signal', zh: '存在高风险欺诈信号' },
  // Model and amounts.
  D_SCORE: { kind: 'decline', en: 'Predicted risk of default above the product cut-off', zh: '模型预测违约概率超过准入线' },
  D_LIMIT_TOO_LOW: { kind: 'decline', en: "The limit the data supports is below the product's minimum", zh: '可授信额度低于产品最低额度' },

  R_NO_BUREAU: { kind: 'review', en: 'No credit-bureau report: a credit officer must obtain and read one', zh: '无征信报告，需人工补充审核' },
  R_NO_SCORE: { kind: 'review', en: 'The model could not score the enterprise', zh: '模型无法评分，需人工审核' },
  R_SCORE_BAND: { kind: 'review', en: 'Predicted risk in the manual-review band', zh: '模型评分处于人工审核区间' },
  R_FRAUD_SIGNAL: { kind: 'review', en: 'A medium-severity fraud signal to check', zh: '存在需核实的中风险欺诈信号' },
  R_LITIGATION: { kind: 'review', en: 'Open lawsuits as defendant above 10% of annual sales', zh: '作为被告的未结诉讼金额超过年销售额的10%' },
  R_CUSTOMER_CONCENTRATION: { kind: 'review', en: 'One customer takes most of the invoiced sales', zh: '销售客户高度集中' },
  R_RED_INVOICES: { kind: 'review', en: 'Many invoices reversed by red-letter invoices', zh: '红字发票占比过高' },
  R_SELFPROOF_CONTRADICTED: { kind: 'review', en: 'An uploaded document contradicts the records (possibly forged): no uplift, a credit officer must check', zh: '上传的自证材料与记录不符（疑似伪造），不予提额，需人工核查' },
  R_DEBT_ELEVATED: { kind: 'review', en: 'Outstanding loans high against sales', zh: '负债相对销售额偏高' },

  L_PRODUCT_CAP: { kind: 'limit', en: "The limit is the product's maximum", zh: '额度受产品上限约束' },
  L_TAX_MULTIPLE: { kind: 'limit', en: 'The limit is a multiple of the average annual tax paid', zh: '额度按年均纳税额的倍数核定' },
  L_SALES_SHARE: { kind: 'limit', en: 'The limit is a share of invoiced sales', zh: '额度按开票销售额的比例核定' },
  L_DEBT_HEADROOM: { kind: 'limit', en: 'The limit is what existing loans leave under the exposure maximum', zh: '额度受现有负债余额约束' },
  L_SELFPROOF_UPLIFT: { kind: 'limit', en: 'The limit was raised on documents verified against the records (self-proof)', zh: '经核验的自证材料提升了额度' },
  L_AMOUNT_ASKED: { kind: 'limit', en: 'The limit is the amount asked for', zh: '额度为申请金额' },

  P_RATE_FLOOR: { kind: 'price', en: "The rate is the product's floor", zh: '利率为产品最低利率' },
  P_RATE_CAP: { kind: 'price', en: "The rate is the product's cap", zh: '利率为产品最高利率' },
  P_LPR_CAP: { kind: 'price', en: 'The rate is capped at 4 × the 1-year LPR', zh: '利率受4倍LPR上限约束' },
} as const satisfies Record<string, ReasonDefinition>;

export type ReasonCode = keyof typeof REASONS;

export interface Reason { code: string; kind: ReasonKind; en: string; zh: string }

export function isReasonCode(code: string): code is ReasonCode {
  return Object.hasOwn(REASONS, code);
}

export function reasonOf(code: ReasonCode): Reason {
  const d: ReasonDefinition = REASONS[code];
  return { code, kind: d.kind, en: d.en, zh: d.zh };
}
