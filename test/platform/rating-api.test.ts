/**
 * The rating, the credit report, commitments and risk notices over the API, per role, on the embedded store
 * with the service fixture's 200-firm economy (side A and side B, each enterprise having authorised its own
 * bank and guarantee fund). The rating job runs once for the file.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { authoriseAll, call, CONSENT_EXPIRY, serviceFixture, type ServiceFixture } from '../server/fixture.ts';
import { ratingJobsIdle } from '../../src/platform/rating-job.ts';
import { defaultRatingModel } from '../../src/platform/rating-policy.ts';

let fixture: ServiceFixture;
let jobResult: { rated: number; inserted: number; byGrade: Record<string, number> };

async function auditCount(action: string): Promise<number> {
  const row = await fixture.store.db.selectFrom('auditLog').select((eb) => eb.fn.countAll<string>().as('n')).where('action', '=', action).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function runRatingJob(): Promise<{ rated: number; inserted: number; byGrade: Record<string, number> }> {
  const started = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/ratings/jobs');
  assert.equal(started.statusCode, 202, started.body);
  await ratingJobsIdle();
  const job = await call(fixture.app, fixture.operatorKey, 'GET', `/v1/jobs/${started.json().id}`);
  assert.equal(job.json().status, 'succeeded', job.body);
  return job.json().result;
}

before(async () => {
  fixture = await serviceFixture('pglite', 'rating', { snapshotJobs: false });
  jobResult = await runRatingJob();
});

after(async () => {
  await ratingJobsIdle();
  await fixture?.close();
});

test('the job rates every enterprise the snapshot holds registered by its date, once per model version', async () => {
  const snapshot = await fixture.snapshots.current();
  const registered = snapshot.creditCodes().filter((code) => snapshot.has(code)).length;
  assert.equal(jobResult.rated, registered);
  assert.equal(jobResult.inserted, registered);
  assert.equal(Object.values(jobResult.byGrade).reduce((a, b) => a + b, 0), registered);
  // More than one grade in a real economy: the bands separate firms.
  assert.ok(Object.values(jobResult.byGrade).filter((n) => n > 0).length >= 2, JSON.stringify(jobResult.byGrade));
  const rerun = await runRatingJob();
  assert.equal(rerun.inserted, 0);
  const rows = await fixture.store.db.selectFrom('ratings').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  assert.equal(Number(rows.n), registered);
  // A rating is a record: the database refuses to change it.
  await assert.rejects(fixture.store.db.updateTable('ratings').set({ grade: 'A' }).execute(), /append-only/);
  const bank = await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/ratings/jobs');
  assert.equal(bank.statusCode, 403);
});

test('a rating is read by the operator, the enterprise itself and a consented grantee; refused to the others', async () => {
  const { a, b } = fixture;
  const url = `/v1/enterprises/${a.creditCode}/rating`;
  const before = await auditCount('rating.read');
  const byOperator = await call(fixture.app, fixture.operatorKey, 'GET', url);
  assert.equal(byOperator.statusCode, 200, byOperator.body);
  const rating = byOperator.json();
  assert.equal(rating.modelVersion, defaultRatingModel().version);
  const sum = rating.contributions.reduce((s: number, c: { points: number }) => s + c.points, 0);
  assert.ok(Math.abs(sum - rating.score) < 0.01, `${sum} vs ${rating.score}`);
  assert.equal((await call(fixture.app, a.keys.enterprise, 'GET', url)).statusCode, 200);
  assert.equal((await call(fixture.app, a.keys.bank, 'GET', url)).statusCode, 200);
  assert.equal((await call(fixture.app, a.keys.guarantee_fund, 'GET', url)).statusCode, 200);
  assert.equal((await call(fixture.app, b.keys.enterprise, 'GET', url)).statusCode, 404);
  const otherBank = await call(fixture.app, b.keys.bank, 'GET', url);
  assert.equal(otherBank.statusCode, 403);
  assert.equal(otherBank.json().code, 'consent_required');
  assert.equal((await call(fixture.app, a.keys.government, 'GET', url)).json().code, 'consent_required');
  assert.equal((await call(fixture.app, null, 'GET', url)).statusCode, 401);
  assert.equal(await auditCount('rating.read'), before + 4);
  const modelView = await call(fixture.app, b.keys.enterprise, 'GET', '/v1/ratings/model');
  assert.equal(modelView.statusCode, 200);
  assert.equal(modelView.json().indicators.length, defaultRatingModel().indicators.length);
});

test('a consented bank opens a self-contained credit report in zh-CN and en; every open is audited', async () => {
  const { a } = fixture;
  const before = await auditCount('report.open');
  const zh = await call(fixture.app, a.keys.bank, 'GET', `/v1/enterprises/${a.creditCode}/credit-report`);
  assert.equal(zh.statusCode, 200, zh.body.slice(0, 300));
  assert.match(String(zh.headers['content-type']), /^text\/html/);
  assert.match(zh.body, /<html lang="zh-CN">/);
  assert.match(zh.body, /企业信用报告/);
  assert.match(zh.body, /<svg /); // the chart, rendered on the server
  assert.doesNotMatch(zh.body, /<script|<link|src=|@import|url\(/); // nothing fetched, nothing run
  assert.doesNotMatch(zh.body, /未获企业授权/); // the bank's consents cover every dimension
  const en = await call(fixture.app, a.keys.bank, 'GET', `/v1/enterprises/${a.creditCode}/credit-report?lang=en`);
  assert.match(en.body, /<html lang="en">/);
  assert.match(en.body, /Enterprise credit report/);
  assert.equal(await auditCount('report.open'), before + 2);
  const entry = await fixture.store.db.selectFrom('auditLog').selectAll().where('action', '=', 'report.open').orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
  assert.equal(entry.tenantId, a.tenantIds.bank);
  assert.equal(entry.subjectId, a.creditCode);
  assert.ok((JSON.parse(entry.details) as { consentIds: string[] }).consentIds.length >= 1);
  const refused = await call(fixture.app, fixture.b.keys.bank, 'GET', `/v1/enterprises/${a.creditCode}/credit-report`);
  assert.equal(refused.statusCode, 403);
  assert.equal(await auditCount('report.open'), before + 2); // a refused open is not an open
});

test('a grantee whose consent covers only registration sees the grade, with every dimension withheld', async () => {
  const { a } = fixture;
  const requested = await call(fixture.app, a.keys.government, 'POST', '/v1/consents', { creditCode: a.creditCode, purpose: 'whitelist review', scopes: ['registration'], expiresAt: CONSENT_EXPIRY });
  assert.equal(requested.statusCode, 201, requested.body);
  assert.equal((await call(fixture.app, a.keys.enterprise, 'POST', `/v1/consents/${requested.json().id}/authorise`)).statusCode, 200);
  const report = await call(fixture.app, a.keys.government, 'GET', `/v1/enterprises/${a.creditCode}/credit-report?lang=en`);
  assert.equal(report.statusCode, 200, report.body.slice(0, 300));
  assert.equal(report.body.match(/has not authorised this viewer/g)?.length, defaultRatingModel().dimensions.length);
  assert.doesNotMatch(report.body, /tax_grade_score/);
});

test('commitments: the enterprise signs, grantees with consent read, the operator records a breach that the report shows', async () => {
  const { a, b } = fixture;
  const signed = await call(fixture.app, a.keys.enterprise, 'POST', '/v1/commitments', { kind: 'truthful_information', content: '本企业承诺所提交的融资申请材料真实、准确、完整。', signedOn: '2026-01-15' });
  assert.equal(signed.statusCode, 201, signed.body);
  const id = signed.json().id as string;
  assert.equal((await call(fixture.app, a.keys.bank, 'POST', '/v1/commitments', { kind: 'general', content: 'x', signedOn: '2026-01-15' })).statusCode, 403);
  const future = await call(fixture.app, a.keys.enterprise, 'POST', '/v1/commitments', { kind: 'general', content: 'x', signedOn: '2999-01-01' });
  assert.equal(future.json().code, 'commitment_invalid');

  assert.equal((await call(fixture.app, a.keys.bank, 'GET', `/v1/commitments?creditCode=${a.creditCode}`)).json().items.length, 1);
  assert.equal((await call(fixture.app, a.keys.enterprise, 'GET', '/v1/commitments')).json().items[0].id, id);
  assert.equal((await call(fixture.app, b.keys.bank, 'GET', `/v1/commitments?creditCode=${a.creditCode}`)).json().code, 'consent_required');
  assert.equal((await call(fixture.app, b.keys.bank, 'GET', '/v1/commitments')).statusCode, 400);
  assert.equal((await call(fixture.app, b.keys.enterprise, 'GET', `/v1/commitments/${id}`)).statusCode, 404);

  const breach = { occurredOn: '2026-03-02', description: '提交的销售合同与发票记录不符 / sales contract did not match the invoices', severity: 'serious' };
  assert.equal((await call(fixture.app, b.keys.government, 'POST', `/v1/commitments/${id}/breaches`, breach)).statusCode, 404);
  assert.equal((await call(fixture.app, a.keys.bank, 'POST', `/v1/commitments/${id}/breaches`, breach)).statusCode, 403);
  const early = await call(fixture.app, fixture.operatorKey, 'POST', `/v1/commitments/${id}/breaches`, { ...breach, occurredOn: '2025-12-31' });
  assert.match(early.json().detail, /before the commitment was signed/);
  const recorded = await call(fixture.app, fixture.operatorKey, 'POST', `/v1/commitments/${id}/breaches`, breach);
  assert.equal(recorded.statusCode, 201, recorded.body);
  const withBreaches = await call(fixture.app, a.keys.bank, 'GET', `/v1/commitments/${id}`);
  assert.equal(withBreaches.json().breaches[0].severity, 'serious');
  const report = await call(fixture.app, a.keys.bank, 'GET', `/v1/enterprises/${a.creditCode}/credit-report`);
  assert.match(report.body, /信息真实承诺/);
  assert.match(report.body, /提交的销售合同与发票记录不符/);
  await assert.rejects(fixture.store.db.deleteFrom('commitmentBreaches').execute(), /append-only/);
});

test('risk notices: the operator publishes, the public reads without a key, a withdrawn notice leaves the list', async () => {
  const notice = { titleZh: '警惕冒用平台名义收取“贷款手续费”', titleEn: 'Beware of fees charged in the platform\'s name', bodyZh: '平台及合作银行不收取任何贷前费用。', bodyEn: 'Neither the platform nor its banks charge any fee before a loan.', level: 'warning' };
  assert.equal((await call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/risk-notices', notice)).statusCode, 403);
  assert.equal((await call(fixture.app, fixture.a.keys.government, 'POST', '/v1/risk-notices', notice)).statusCode, 403);
  const published = await call(fixture.app, fixture.operatorKey, 'POST', '/v1/risk-notices', notice);
  assert.equal(published.statusCode, 201, published.body);
  const id = published.json().id as string;
  const list = await call(fixture.app, null, 'GET', '/public/risk-notices');
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(list.json().items.map((n: { id: string }) => n.id), [id]);
  assert.equal((await call(fixture.app, null, 'GET', `/public/risk-notices/${id}`)).json().titleEn, notice.titleEn);
  assert.equal((await call(fixture.app, fixture.a.keys.bank, 'POST', `/v1/risk-notices/${id}/withdraw`)).statusCode, 403);
  assert.equal((await call(fixture.app, fixture.operatorKey, 'POST', `/v1/risk-notices/${id}/withdraw`)).statusCode, 200);
  assert.deepEqual((await call(fixture.app, null, 'GET', '/public/risk-notices')).json().items, []);
  assert.equal((await call(fixture.app, null, 'GET', `/public/risk-notices/${id}`)).statusCode, 404);
  assert.equal((await call(fixture.app, fixture.operatorKey, 'POST', `/v1/risk-notices/${id}/withdraw`)).json().code, 'notice_invalid');
});

test('a government department records breaches only for an enterprise that authorised it', async () => {
  const { a } = fixture;
  const signed = await call(fixture.app, a.keys.enterprise, 'POST', '/v1/commitments', { kind: 'loan_purpose', content: '贷款资金仅用于生产经营。', signedOn: '2026-02-01' });
  const id = signed.json().id as string;
  await authoriseAll(fixture, a, 'government');
  const recorded = await call(fixture.app, a.keys.government, 'POST', `/v1/commitments/${id}/breaches`, { occurredOn: '2026-04-01', description: '贷款资金流入房地产 / proceeds went into real estate', severity: 'serious' });
  assert.equal(recorded.statusCode, 201, recorded.body);
});
