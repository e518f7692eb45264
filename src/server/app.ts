/**
 * The Puhui HTTP service: one Fastify app whose routes are declared with zod schemas, which validate
 * requests, type the handlers and generate the OpenAPI document at /openapi.json — one source for all three.
 *
 * Every request: gets a request id (the client's X-Request-Id if it is sane, else a UUID), echoed in the
 * response and in every problem document; runs under a deadline (a slow database gives a 503, not a hang);
 * under /v1 is authenticated by an API key (Authorization: Bearer) to a Principal and counted against that
 * key's rate limit. Every error is an RFC 9457 problem document with a stable code.
 *
 * The service keeps no state of its own between requests: what it knows lives in the store (PostgreSQL or
 * PGlite) and in the immutable snapshot files, so several processes can run behind one load balancer.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifyRateLimit from '@fastify/rate-limit';
import {
  hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { PuhuiUserError } from '../domain/errors.ts';
import { DEFAULT_LIMITS, type ServiceLimits } from './limits.ts';
import { HttpProblem, PROBLEM_CONTENT_TYPE, problemOf, statusOfUserError, type ProblemFieldError } from './problem.ts';
import { isDatabaseUnavailable } from './deadline.ts';
import { authenticateRequest } from './auth.ts';
import type { ServiceContext } from './context.ts';
import { registerRoutes } from './routes.ts';

export const API_VERSION = '1.0.0';
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

export interface ServiceOptions extends Omit<ServiceContext, 'limits'> {
  limits?: Partial<ServiceLimits>;
  /** Fastify's logger (off by default; `puhui serve` turns it on). */
  logger?: boolean;
}

export async function buildService(options: ServiceOptions): Promise<FastifyInstance> {
  const limits: ServiceLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const context: ServiceContext = { ...options, limits };
  const app = Fastify({
    logger: options.logger === true,
    bodyLimit: limits.bodyBytesMax,
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    },
    // The server closes gracefully: in-flight requests finish, new ones get 503 while it drains.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Errors the router raises before any route runs (a bad URL, an over-long parameter) are problems too.
    frameworkErrors: (error, request, reply) => sendProblem(request, reply, error),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, new HttpProblem(404, 'route_not_found', `no route ${request.method} ${request.url.split('?')[0]}`)));

  // A response finished while the server drains closes its connection: otherwise the client's keep-alive socket
  // holds close() open until Fastify's keep-alive timeout (72 s), long after the last request.
  let draining = false;
  app.addHook('preClose', async () => { draining = true; });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (draining) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    armDeadline(request, reply, limits.requestDeadlineMs);
  });
  app.addHook('onResponse', async (request) => disarmDeadline(request));
  app.addHook('onRequestAbort', async (request) => disarmDeadline(request));
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/v1/')) request.principal = await authenticateRequest(context.store, request.headers.authorization);
  });

  await app.register(fastifyRateLimit, {
    global: true,
    // After authentication: the limit is per API key; unauthenticated routes (health, openapi) count per address.
    hook: 'preHandler',
    max: limits.requestsPerWindowPerKey,
    timeWindow: limits.rateWindowMs,
    keyGenerator: (request) => (request.principal ? `key:${request.principal.keyId}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, 'rate_limited', `more than ${context.max} requests in ${context.after}; retry after ${context.after}`),
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Puhui service',
        version: API_VERSION,
        description: 'Tenants, consent, audited enterprise data, data intake and online credit decisions. Errors are application/problem+json (RFC 9457) with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key issued by the platform operator' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerRoutes(app, context);
  await app.ready();
  return app;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: import('./auth.ts').Principal | null;
    deadlineTimer?: NodeJS.Timeout;
  }
}

/** A 503 problem if the request is still unanswered at its deadline (a hung database call, most likely). */
function armDeadline(request: FastifyRequest, reply: FastifyReply, deadlineMs: number): void {
  request.principal = null;
  request.deadlineTimer = setTimeout(() => {
    if (reply.sent) return;
    const problem = new HttpProblem(503, 'deadline_exceeded', `the request did not finish within ${deadlineMs} ms; the database may be slow or unavailable`);
    void sendProblem(request, reply, problem);
  }, deadlineMs);
  request.deadlineTimer.unref();
}

function disarmDeadline(request: FastifyRequest): void {
  if (request.deadlineTimer) clearTimeout(request.deadlineTimer);
}

interface Classified { status: number; code: string; detail: string; errors?: ProblemFieldError[] }

/** What a thrown error means for the client: its status, stable code and a message safe to show. */
export function classifyError(error: unknown): Classified {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((issue) => ({ path: `${error.validationContext ?? ''}${issue.instancePath}`, message: issue.message ?? 'is invalid' }));
    return { status: 400, code: 'validation', detail: errors.map((e) => `${e.path} ${e.message}`).join('; ').slice(0, 500), errors };
  }
  if (error instanceof HttpProblem) return { status: error.status, code: error.code, detail: error.message, ...(error.errors ? { errors: error.errors } : {}) };
  if (error instanceof PuhuiUserError) return { status: statusOfUserError(error), code: error.code, detail: error.message };
  if (isDatabaseUnavailable(error)) return { status: 503, code: 'database_unavailable', detail: 'the database is unavailable; try again shortly' };
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // Fastify's own client errors (body, media type, URL): their status and a stable code of ours.
    return { status: fastifyError.statusCode, code: FASTIFY_CODES[fastifyError.code ?? ''] ?? 'bad_request', detail: fastifyError.message ?? 'bad request' };
  }
  return { status: 500, code: 'internal', detail: 'an internal error; the request id identifies it in the service log' };
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_content_length',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed_body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed_body',
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'parameter_too_long',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};

function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
  const classified = classifyError(error);
  if (classified.code === 'malformed_body' || (error instanceof SyntaxError)) classified.code = 'malformed_body';
  if (classified.status === 500) request.log.error({ err: error }, 'internal error');
  const problem = problemOf({ ...classified, instance: request.url.split('?')[0] ?? '/', requestId: request.id });
  return reply.code(classified.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
