/**
 * Self-proof over HTTP (issue #15 item 1–2): uploads by an enterprise and by a consented bank, bad files refused
 * with a stable problem code and nothing stored, each file stored once, every upload and read audited, the
 * reading done in the background while the service answers, and a decision that names verified readings — a
 * real invoice raising the limit, a forged one (its amount changed) sending the application to review.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatasetReader } from '../../src/data/index.ts';
import { invoicePhoto, largestSaleOf, type InvoicePhoto } from '../../src/selfproof/photo.ts';
import { applicantOf, decideOnline, DEFAULT_STRATEGY_FILE } from '../../src/pipeline/online.ts';
import { runSelfproofDemo } from '../../src/pipeline/demo-selfproof.ts';
import { loadStrategy } from '../../src/decision/strategy.ts';
import { temporaryDir } from '../support/economy.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildService } from '../../src/server/app.ts';
import { SELFPROOF_POLICY_ENV } from '../../src/server/routes/selfproof.ts';
import { createApiKey, createTenant } from '../../src/store/index.ts';
import { call, consentGroups, CONSENT_EXPIRY, serviceFixture, type ServiceFixture } from '../server/fixture.ts';
import { jpegBytes, pdf, pngHeaderOnly } from './files.ts';

let fixture: ServiceFixture;
let genuine: InvoicePhoto;
let forged: InvoicePhoto;
let slowPage: InvoicePhoto;
/** An enterprise the default strategy approves or reviews with room under its caps, and its key. */
let applicant: { creditCode: string; key: string };

/** Polls until the reading has finished (bounded: the OCR pool times a page out long before). */
async function settled(key: string, id: string): Promise<Record<string, any>> {
  for (let attempt = 0; attempt < 1200; attempt++) {
    const response = await call(fixture.app, key, 'GET', `/v1/selfproof/${id}`);
    assert.equal(response.statusCode, 200, response.body);
    const upload = response.json();
    if (upload.status !== 'reading') return upload;
    await sleep(100);
  }
  throw new Error(`upload ${id} was never read`);
}

function upload(key: string, creditCode: string, bytes: Uint8Array, contentType = 'image/jpeg', query = '') {
  return fixture.app.inject({
    method: 'POST', url: `/v1/enterprises/${creditCode}/selfproof${query}`,
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, payload: Buffer.from(bytes),
  });
}

async function auditActions(subjectId: string): Promise<string[]> {
  const rows = await fixture.store.db.selectFrom('auditLog').select('action').where('subjectId', '=', subjectId).orderBy('seq').execute();
  return rows.map((r) => r.action);
}

before(async () => {
  fixture = await serviceFixture('pglite', 'selfproof');
  const reader = await DatasetReader.open(fixture.datasetDir);
  try {
    const code = await approvableSeller(reader);
    const sale = (await largestSaleOf(reader, code))!;
    genuine = await invoicePhoto(reader, sale, { degradation: 'rotation', seed: 3 });
    forged = await invoicePhoto(reader, sale, { degradation: 'light', seed: 4, forgedAmountFactor: 3 });
    slowPage = await invoicePhoto(reader, sale, { degradation: 'blur', seed: 5 });
    applicant = await consentingEnterprise(code);
  } finally {
    reader.close();
  }
});

/** The first established enterprise that the strategy does not decline, with room under its caps and a large enough sale. */
async function approvableSeller(reader: DatasetReader): Promise<string> {
  const snapshot = await fixture.snapshots.current();
  const rows = await reader.query(`SELECT creditCode FROM enterprises WHERE establishedDate < '2021-01-01' AND status = 'active' ORDER BY creditCode LIMIT 200`);
  for (const row of rows) {
    const code = String(row.creditCode);
    if (code === fixture.b.creditCode || !snapshot.has(code)) continue;
    const sale = await largestSaleOf(reader, code);
    if (!sale || sale.amountFen + sale.taxFen < 5_000_000) continue;
    const { decision } = await decideOnline(snapshot, { creditCode: code });
    if (decision.outcome !== 'decline' && decision.limitFen !== null && decision.limitFen < 200_000_000) return code;
  }
  throw new Error('no enterprise of the test economy is approvable with room under its caps');
}

/** The enterprise as a tenant of its own (unless it is side A's) that grants side A's bank every consent a decision needs. */
async function consentingEnterprise(code: string): Promise<{ creditCode: string; key: string }> {
  if (code === fixture.a.creditCode) return { creditCode: code, key: fixture.a.keys.enterprise };
  const tenant = await createTenant(fixture.store, { kind: 'enterprise', name: 'Applicant', creditCode: code });
  const key = (await createApiKey(fixture.store, tenant.id, 'enterprise')).key;
  for (const scopes of consentGroups()) {
    const granted = await call(fixture.app, key, 'POST', '/v1/consents/grant', { granteeTenantId: fixture.a.tenantIds.bank, purpose: 'working-capital loan', scopes, expiresAt: CONSENT_EXPIRY });
    assert.equal(granted.statusCode, 201, granted.body);
  }
  return { creditCode: code, key };
}

after(async () => fixture?.close());

test('bad files get a problem document with a stable code, are not stored, and the service keeps answering', async () => {
  const whole = jpegBytes(600, 400);
  const cases: [string, Uint8Array, string, number, string][] = [
    ['0 bytes', new Uint8Array(0), 'image/jpeg', 422, 'document_empty'],
    ['not an image', Buffer.from('name,amount\nA,1\n'), 'application/octet-stream', 415, 'document_format'],
    ['a truncated JPEG', whole.subarray(0, Math.floor(whole.length / 2)), 'image/jpeg', 422, 'document_damaged'],
    ['a 50-megapixel image', pngHeaderOnly(10_000, 5_000), 'image/png', 413, 'document_pixels'],
    ['a PDF with no page', pdf([]), 'application/pdf', 422, 'document_pages'],
  ];
  for (const [what, bytes, type, status, code] of cases) {
    const response = await upload(fixture.a.keys.enterprise, fixture.a.creditCode, bytes, type);
    assert.equal(response.statusCode, status, `${what}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /application\/problem\+json/);
    const problem = response.json();
    assert.equal(problem.code, code, what);
    assert.ok(problem.detail.length > 10, `${what}: the detail says what is wrong`);
  }
  const json = await call(fixture.app, fixture.a.keys.enterprise, 'POST', `/v1/enterprises/${fixture.a.creditCode}/selfproof`, { file: 'x' });
  assert.equal(json.statusCode, 415);
  assert.equal(json.json().code, 'unsupported_media_type');
  const huge = await upload(fixture.a.keys.enterprise, fixture.a.creditCode, Buffer.alloc(21 * 1024 * 1024, 0xff));
  assert.equal(huge.statusCode, 413);
  assert.equal(huge.json().code, 'body_too_large');
  assert.equal((await fixture.store.db.selectFrom('selfproofFiles').select('sha256').execute()).length, 0, 'no bad file was stored');
  assert.equal((await call(fixture.app, null, 'GET', '/health')).statusCode, 200);
});

test('who may upload: the enterprise for itself, a bank with consent; others are refused', async () => {
  const bytes = jpegBytes(300, 200);
  const other = await upload(fixture.a.keys.enterprise, fixture.b.creditCode, bytes);
  assert.equal(other.statusCode, 403, 'an enterprise uploads for itself only');
  const unconsented = await upload(fixture.a.keys.bank, fixture.b.creditCode, bytes);
  assert.equal(unconsented.statusCode, 403, 'a bank without the enterprise\'s consent');
  assert.equal(unconsented.json().code, 'consent_required');
  const government = await upload(fixture.a.keys.government, fixture.a.creditCode, bytes);
  assert.equal(government.statusCode, 403);
});

test('an invoice photo is stored once, read in the background, verified strong, and every upload and read is audited', async () => {
  const first = await upload(applicant.key, applicant.creditCode, genuine.bytes, 'image/jpeg', '?fileName=invoice.jpg');
  assert.equal(first.statusCode, 202, first.body);
  const accepted = first.json();
  assert.equal(accepted.status, 'reading');
  assert.equal(accepted.duplicate, false);
  // The service answers other requests while the page is being read on a worker thread.
  const me = await call(fixture.app, fixture.a.keys.bank, 'GET', '/v1/me');
  assert.equal(me.statusCode, 200);

  const read = await settled(applicant.key, accepted.id);
  assert.equal(read.status, 'read', JSON.stringify(read.error));
  assert.equal(read.kind, 'invoice');
  assert.equal(read.strength, 'strong', JSON.stringify(read.pages[0]?.verification));
  assert.equal(read.evidenceFen, genuine.totalFen);
  assert.equal(read.pages[0].fields.invoiceNumber, genuine.invoice.invoiceNumber);
  assert.equal(read.pages[0].fields.totalFen, String(genuine.totalFen));

  const again = await upload(applicant.key, applicant.creditCode, genuine.bytes);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().id, accepted.id, 'a second upload of the same bytes refers to the first');
  assert.equal(again.json().duplicate, true);
  const byBank = await upload(fixture.a.keys.bank, applicant.creditCode, genuine.bytes);
  assert.equal(byBank.statusCode, 202, 'another tenant gets its own upload …');
  assert.equal(byBank.json().sha256, accepted.sha256);
  const files = await fixture.store.db.selectFrom('selfproofFiles').select(['sha256', 'sizeBytes']).where('sha256', '=', accepted.sha256).execute();
  assert.deepEqual(files, [{ sha256: accepted.sha256, sizeBytes: genuine.bytes.length }], '… of the one stored file');
  assert.equal((await settled(fixture.a.keys.bank, byBank.json().id)).strength, 'strong', 'the earlier reading of the same bytes is reused');

  const actions = await auditActions(accepted.id);
  assert.equal(actions.filter((a) => a === 'selfproof.upload').length, 2, 'both uploads of the bytes are audited');
  assert.equal(actions.filter((a) => a === 'selfproof.reading').length, 1, 'the reading is audited once');
  assert.ok(actions.filter((a) => a === 'selfproof.read').length >= 1, 'every GET is audited');
  const audit = await call(fixture.app, fixture.operatorKey, 'GET', '/v1/audit/verify');
  assert.equal(audit.json().ok, true);
});

test('another tenant cannot see an upload: not found, never forbidden', async () => {
  const own = await upload(fixture.b.keys.enterprise, fixture.b.creditCode, jpegBytes(320, 200));
  assert.equal(own.statusCode, 202, own.body);
  const id = own.json().id as string;
  await settled(fixture.b.keys.enterprise, id);
  for (const key of [fixture.a.keys.enterprise, fixture.a.keys.bank, fixture.a.keys.guarantee_fund]) {
    const response = await call(fixture.app, key, 'GET', `/v1/selfproof/${id}`);
    assert.equal(response.statusCode, 404, response.body);
    assert.ok(!response.body.includes(fixture.b.creditCode));
  }
  const consented = await call(fixture.app, fixture.b.keys.bank, 'GET', `/v1/selfproof/${id}`);
  assert.equal(consented.statusCode, 200, "B's bank, consented by B, reads B's own upload");
  const blank = await settled(fixture.b.keys.enterprise, id);
  assert.equal(blank.kind, null, 'a blank page is read as no document');
  assert.equal(blank.strength, 'none');
});

test('a decision names verified readings: a real invoice raises the limit, a forged one sends it to review', async () => {
  const apply = (readings?: string[]) => call(fixture.app, fixture.a.keys.bank, 'POST', '/v1/applications', {
    creditCode: applicant.creditCode, ...(readings ? { selfProofReadings: readings } : {}),
  });
  const plain = await apply();
  assert.equal(plain.statusCode, 201, plain.body);
  const genuineId = (await upload(applicant.key, applicant.creditCode, genuine.bytes)).json().id as string;
  const raised = await apply([genuineId]);
  assert.equal(raised.statusCode, 201, raised.body);
  const before = plain.json(), after = raised.json();
  assert.notEqual(before.outcome, 'decline', `the test enterprise must not be declined: ${JSON.stringify(before.reasons)}`);
  assert.ok(after.limitFen > before.limitFen, `limit ${before.limitFen} → ${after.limitFen}`);
  assert.ok(after.reasons.some((r: { code: string }) => r.code === 'L_SELFPROOF_UPLIFT'), JSON.stringify(after.reasons));

  const forgery = await upload(applicant.key, applicant.creditCode, forged.bytes);
  assert.equal(forgery.statusCode, 202, forgery.body);
  const forgedReading = await settled(applicant.key, forgery.json().id);
  assert.equal(forgedReading.strength, 'contradicted');
  assert.ok(forgedReading.pages[0].verification.fields.some((f: { field: string; status: string }) => f.field === 'amountFen' && f.status === 'contradicted'));
  const refused = await apply([genuineId, forgery.json().id]);
  assert.equal(refused.statusCode, 201, refused.body);
  const decision = refused.json();
  assert.ok(decision.reasons.some((r: { code: string }) => r.code === 'R_SELFPROOF_CONTRADICTED'), JSON.stringify(decision.reasons));
  assert.ok(!decision.reasons.some((r: { code: string }) => r.code === 'L_SELFPROOF_UPLIFT'), 'a contradicted document cancels every uplift');
  assert.notEqual(decision.outcome, 'approve');

  const full = await call(fixture.app, fixture.a.keys.bank, 'GET', `/v1/decisions/${decision.id}`);
  assert.equal(full.json().record.selfProof.contradicted, 1, 'the record keeps the self-proof input');
  const replay = await call(fixture.app, fixture.a.keys.bank, 'GET', `/v1/decisions/${decision.id}/replay`);
  assert.equal(replay.json().agrees, true, 'a replay sees the same self-proof input');

  const foreign = await apply([(await call(fixture.app, fixture.b.keys.enterprise, 'GET', '/v1/me')).json().tenantId]);
  assert.equal(foreign.statusCode, 404, 'an unknown reading is not found');
});

test('the demo step: a photographed invoice is verified and raises the limit, the forged one is contradicted and refused', async () => {
  const snapshot = await fixture.snapshots.current();
  const application = { product: 'tax_loan', amountFen: null, termMonths: null };
  const codes = [applicant.creditCode, fixture.a.creditCode];
  const decisions = await Promise.all(codes.map((creditCode) => decideOnline(snapshot, { creditCode })));
  const applicants = codes.map((code) => { const { refreshed: _, ...a } = applicantOf(snapshot, code, application, null); return a; });
  const demo = await runSelfproofDemo({ root: temporaryDir('selfproof-demo'), dataset: fixture.datasetDir, champion: loadStrategy(DEFAULT_STRATEGY_FILE), applicants, decisions });
  assert.ok(demo, 'an enterprise qualifies');
  assert.equal(demo.genuine.strength, 'strong');
  assert.ok(demo.genuine.limitFen! > demo.before.limitFen!, `${demo.before.limitFen} → ${demo.genuine.limitFen}`);
  assert.ok(demo.genuine.reasons.includes('L_SELFPROOF_UPLIFT'));
  assert.equal(demo.forged.strength, 'contradicted');
  assert.ok(demo.forged.contradicted.includes('amountFen'), demo.forged.contradicted.join(', '));
  assert.ok(demo.forged.reasons.includes('R_SELFPROOF_CONTRADICTED'));
  assert.ok(!demo.forged.reasons.includes('L_SELFPROOF_UPLIFT'));
});

test('a page over its timeout leaves the upload failed with ocr_timeout; the service keeps answering and a new upload of the bytes retries', async () => {
  const policy = JSON.parse((await import('node:fs')).readFileSync(new URL('../../policies/selfproof-default.json', import.meta.url), 'utf8'));
  const file = join(temporaryDir('selfproof-policy'), 'policy.json');
  writeFileSync(file, JSON.stringify({ ...policy, pageTimeoutMs: 100 }));
  process.env[SELFPROOF_POLICY_ENV] = file;
  const hasty = await buildService({ store: fixture.store, snapshots: fixture.snapshots, decisions: {}, limits: { requestDeadlineMs: 60_000 } });
  delete process.env[SELFPROOF_POLICY_ENV];
  try {
    const posted = await hasty.inject({
      method: 'POST', url: `/v1/enterprises/${applicant.creditCode}/selfproof`, payload: slowPage.bytes,
      headers: { authorization: `Bearer ${applicant.key}`, 'content-type': 'image/jpeg' },
    });
    assert.equal(posted.statusCode, 202, posted.body);
    let reading: Record<string, any> = posted.json();
    for (let attempt = 0; attempt < 1200 && reading.status === 'reading'; attempt++) {
      assert.equal((await hasty.inject({ method: 'GET', url: '/health' })).statusCode, 200, 'the service answers while the page is read');
      await sleep(100);
      reading = (await hasty.inject({ method: 'GET', url: `/v1/selfproof/${reading.id}`, headers: { authorization: `Bearer ${applicant.key}` } })).json();
    }
    assert.equal(reading.status, 'failed');
    assert.equal(reading.error.code, 'ocr_timeout');
  } finally {
    await hasty.close();
  }
  const retried = await upload(applicant.key, applicant.creditCode, slowPage.bytes);
  assert.equal(retried.statusCode, 200, retried.body);
  assert.equal(retried.json().status, 'reading', 'the failed upload is read again');
  assert.equal((await settled(applicant.key, retried.json().id)).status, 'read');
});
