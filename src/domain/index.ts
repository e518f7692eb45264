export * from './errors.ts';
export * from './credit-code.ts';
export * from './period.ts';
export * from './money.ts';
export * from './reference.ts';
export * from './columns.ts';
export * from './entities.ts';
export type { Dossier } from './dossier.ts';
