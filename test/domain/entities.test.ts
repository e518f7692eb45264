import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invoices, enterprises, vatReturns, type Invoice } from '../../src/domain/entities.ts';

const goodInvoice: Invoice = {
  invoiceNumber: '24330000000000000001', sellerCode: '91310000631696382C', buyerCode: '91110000600037341L',
  issueDate: '2024-03-05', amountFen: 1_000_000, taxFen: 130_000, taxRateBps: 1300, kind: 'special',
  status: 'normal', originalInvoiceNumber: null, goodsCategory: '29',
};

function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return result.success ? [] : result.error!.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
}

test('a well-formed invoice passes its schema', () => {
  assert.deepEqual(issuesOf(invoices.schema.safeParse(goodInvoice)), []);
});

test('names the field and the reason for each broken invoice field', () => {
  const cases: [Partial<Invoice>, string][] = [
    [{ sellerCode: '91310000631696382D' }, 'sellerCode: has a wrong check character (GB 32100)'],
    [{ issueDate: '2024-02-30' }, 'issueDate: is not a valid ISO date YYYY-MM-DD between 1949-10-01 and 2099-12-31'],
    [{ amountFen: 10.5 }, 'amountFen: is not a whole number'],
    [{ status: 'lost' as never }, 'status: must be one of normal, red, void'],
    [{ buyerCode: goodInvoice.sellerCode }, 'buyerCode: is the same as sellerCode'],
    [{ taxFen: 140_000 }, 'taxFen: differs from amountFen × taxRateBps by more than 1 yuan'],
    [{ status: 'red' }, 'amountFen: must be negative on a red invoice and positive otherwise'],
  ];
  for (const [change, expected] of cases) {
    const found = issuesOf(invoices.schema.safeParse({ ...goodInvoice, ...change }));
    assert.ok(found.includes(expected), `${JSON.stringify(change)} → ${found.join(' | ')}`);
  }
});

test('rejects a division outside its industry section and a quarterly period of the wrong length', () => {
  const enterprise = {
    creditCode: '91310000631696382C', name: '上海示例贸易有限公司', establishedDate: '2015-06-01', industrySection: 'F',
    industryDivision: '29', regionCode: '310101', registeredCapitalFen: 100_000_000, taxpayerType: 'general',
    status: 'active', legalRepIdHash: '0123456789abcdef', legalRepBirthYear: 1978, phoneHash: '0123456789abcdef',
    addressHash: '0123456789abcdef',
  };
  assert.deepEqual(issuesOf(enterprises.schema.safeParse(enterprise)), ['industryDivision: is not a division of the given industry section']);
  assert.deepEqual(issuesOf(enterprises.schema.safeParse({ ...enterprise, industryDivision: '51' })), []);
  const vat = {
    creditCode: '91310000631696382C', periodStart: '2024-01', periodEnd: '2024-02', revision: 0, taxableSalesFen: 1,
    uninvoicedSalesFen: 0, exemptSalesFen: 0, outputTaxFen: 0, inputTaxFen: 0, taxPayableFen: 0, taxPaidFen: 0,
    filedDate: '2024-03-10', late: false, correctedFields: null,
  };
  assert.deepEqual(issuesOf(vatReturns.schema.safeParse(vat)), ['periodEnd: must close a 1-month or 3-month period starting at periodStart']);
  assert.deepEqual(issuesOf(vatReturns.schema.safeParse({ ...vat, periodEnd: '2024-03', filedDate: '2024-04-10' })), []);
});
