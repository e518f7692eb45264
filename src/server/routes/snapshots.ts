/** Snapshot jobs: the operator asks for a snapshot as of a date; anyone may ask which snapshot is current. */
import { allow } from '../auth.ts';
import type { ServiceContext } from '../context.ts';
import { NotFound } from '../problem.ts';
import type { ServiceApp } from '../routes.ts';
import { idParams, jobView, snapshotBody, snapshotView } from '../schemas.ts';
import { getJob, type Job } from '../../store/index.ts';

function jobViewOf(job: Job) {
  return { id: job.id, kind: job.kind, status: job.status, payload: job.payload, result: job.result, error: job.error, createdAt: job.createdAt, finishedAt: job.finishedAt };
}

export function registerSnapshotRoutes(app: ServiceApp, context: ServiceContext): void {
  app.post('/v1/snapshots', {
    schema: { tags: ['snapshots'], summary: 'Build the snapshot of the dataset as of a date (operator); a job, current when it succeeds', body: snapshotBody, response: { 202: jobView } },
  }, async (request, reply) => {
    const principal = allow(request.principal, ['operator']);
    const job = await context.snapshots.startBuild(principal, request.body.asOf);
    return reply.code(202).send(jobViewOf(job));
  });

  app.get('/v1/jobs/:id', {
    schema: { tags: ['snapshots'], summary: "A job of this tenant's (operator)", params: idParams, response: { 200: jobView } },
  }, async (request) => {
    const principal = allow(request.principal, ['operator']);
    return jobViewOf(await getJob(context.store, request.params.id, principal));
  });

  app.get('/v1/snapshots/current', {
    schema: { tags: ['snapshots'], summary: 'The snapshot decisions are made on now', response: { 200: snapshotView } },
  }, async (request) => {
    allow(request.principal, ['operator', 'bank', 'guarantee_fund', 'government', 'enterprise']);
    const info = await context.snapshots.currentInfo();
    if (!info) throw new NotFound('current snapshot');
    return { id: info.id, asOf: info.asOf, enterprises: info.enterprises, builtAt: info.builtAt };
  });
}
