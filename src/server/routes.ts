/** Every route of the service, registered in one place so the OpenAPI document lists them all. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServiceContext } from './context.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { registerTenantRoutes } from './routes/tenants.ts';
import { registerConsentRoutes } from './routes/consents.ts';
import { registerDataRoutes } from './routes/data.ts';
import { registerDecisionRoutes } from './routes/decisions.ts';
import { registerSnapshotRoutes } from './routes/snapshots.ts';
import { registerPlatformGovRoutes } from './routes/platform-gov.ts';
import { registerSelfproofRoutes } from './routes/selfproof.ts';
import { registerPlatformMarketRoutes } from './routes/platform-market.ts';
import { registerPlatformRatingRoutes } from './routes/platform-rating.ts';
import { registerLoanRoutes } from './routes/loans.ts';
import { registerMonitoringRoutes } from './routes/monitoring.ts';

export type ServiceApp = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, ZodTypeProvider>;

export function registerRoutes(app: ServiceApp, context: ServiceContext): void {
  registerSystemRoutes(app, context);
  registerTenantRoutes(app, context);
  registerConsentRoutes(app, context);
  registerDataRoutes(app, context);
  registerDecisionRoutes(app, context);
  registerSnapshotRoutes(app, context);
  registerPlatformGovRoutes(app, context);
  registerSelfproofRoutes(app, context);
  registerPlatformMarketRoutes(app, context);
  registerPlatformRatingRoutes(app, context);
  registerLoanRoutes(app, context);
  registerMonitoringRoutes(app, context);
}
