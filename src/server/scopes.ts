/**
 * Which consent scope covers which data, as the store defines it (ENTITY_SCOPES, SEPARATE_SCOPES). A
 * decision reads everything its features read (the catalogue says which entities each feature reads), so
 * the scopes it needs are derived from the catalogue, never listed by hand: a feature that reads a new
 * entity adds its scope.
 */
import type { EntityName } from '../domain/columns.ts';
import { FEATURES } from '../features/index.ts';
import { ENTITY_SCOPES, SEPARATE_SCOPES, type ConsentScope } from '../store/index.ts';

export { SEPARATE_SCOPES };

/** Entities the API takes in and serves: all but the outcome labels, which are the synthetic economy's ground truth. */
export const API_ENTITIES = (Object.keys(ENTITY_SCOPES) as EntityName[]).filter((entity) => entity !== 'labels');

export function isApiEntity(entity: string): entity is EntityName {
  return (API_ENTITIES as string[]).includes(entity);
}

export function entitiesOfScope(scope: ConsentScope): EntityName[] {
  return API_ENTITIES.filter((entity) => ENTITY_SCOPES[entity] === scope);
}

/** The scopes a decision reads: registration (the profile and admission rules) and every scope a feature reads. */
export function decisionScopes(): ConsentScope[] {
  const scopes = new Set<ConsentScope>(['registration']);
  for (const feature of FEATURES) for (const entity of feature.reads) scopes.add(ENTITY_SCOPES[entity]);
  return [...scopes].sort();
}

/** The consents a decision needs, as groups of scopes: the ordinary ones together, each separate scope alone. */
export function decisionConsentGroups(): ConsentScope[][] {
  const scopes = decisionScopes();
  return [scopes.filter((s) => !SEPARATE_SCOPES.includes(s)), ...scopes.filter((s) => SEPARATE_SCOPES.includes(s)).map((s) => [s])];
}
