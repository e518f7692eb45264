/**
 * Which consent scope covers which data. Each entity of the dataset belongs to exactly one scope; a read of
 * an entity needs an authorised consent for its scope. A decision reads everything its features read
 * (the catalogue says which entities each feature reads), so the scopes it needs are derived from the
 * catalogue, never listed by hand: adding a feature that reads a new entity adds its scope.
 */
import type { EntityName } from '../domain/columns.ts';
import { FEATURES } from '../features/index.ts';
import type { ConsentScope } from '../store/index.ts';

export const SCOPE_OF_ENTITY: Readonly<Record<Exclude<EntityName, 'labels'>, ConsentScope>> = {
  enterprises: 'registration',
  vatReturns: 'tax',
  citReturns: 'tax',
  taxGrades: 'tax',
  invoices: 'invoices',
  bankMonths: 'bank_statements',
  bureauReports: 'bureau',
  courtCases: 'court',
};

/** Entities whose rows the API takes in and serves (outcome labels are ground truth of the synthetic economy, not data). */
export const API_ENTITIES = Object.keys(SCOPE_OF_ENTITY) as (keyof typeof SCOPE_OF_ENTITY)[];

export function isApiEntity(entity: string): entity is keyof typeof SCOPE_OF_ENTITY {
  return Object.hasOwn(SCOPE_OF_ENTITY, entity);
}

export function entitiesOfScope(scope: ConsentScope): string[] {
  return API_ENTITIES.filter((entity) => SCOPE_OF_ENTITY[entity] === scope);
}

/** Bank statements are sensitive personal information under PIPL: they need a consent of their own. */
export const SEPARATE_SCOPES: readonly ConsentScope[] = ['bank_statements'];

/** The scopes a decision reads: registration (the profile and admission rules) and every scope a feature reads. */
export function decisionScopes(): ConsentScope[] {
  const scopes = new Set<ConsentScope>(['registration']);
  for (const feature of FEATURES) {
    for (const entity of feature.reads) if (isApiEntity(entity)) scopes.add(SCOPE_OF_ENTITY[entity]);
  }
  return [...scopes].sort();
}
