/**
 * fast-check arbitraries derived from the JSON schemas of the service's OpenAPI document, for the API fuzz
 * test: `valid` values the schema accepts, `boundary` values at its limits (shortest and longest strings,
 * smallest and largest numbers, fewest and most items) and `malformed` values it must refuse (wrong types,
 * missing or unknown fields, out-of-range numbers, over-long strings, arbitrary JSON). Covers the subset of
 * JSON Schema that zod's generator emits for our schemas; anything else falls back to arbitrary JSON.
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
}

/** Items and string lengths generated at most: a fuzz body is small unless a limit is being probed. */
const GENERATED_ITEMS_MAX = 4;
const GENERATED_LENGTH_MAX = 40;

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties) return ['object'];
  return [];
}

function bounds(schema: JsonSchema): { min: number; max: number } {
  const integer = typesOf(schema).includes('integer');
  let min = schema.minimum ?? -1e12;
  let max = schema.maximum ?? 1e12;
  if (typeof schema.exclusiveMinimum === 'number') min = schema.exclusiveMinimum + (integer ? 1 : 1e-6);
  if (typeof schema.exclusiveMaximum === 'number') max = schema.exclusiveMaximum - (integer ? 1 : 1e-6);
  return { min, max };
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'date') return fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? GENERATED_LENGTH_MAX, Math.max(minLength, GENERATED_LENGTH_MAX));
  if (schema.pattern) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({ minLength, maxLength });
}

/** Values the schema accepts (up to refinements JSON Schema cannot state, such as a check character). */
export function validOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map(validOf));
  const types = typesOf(schema);
  const base = arbitraryOfType(schema, types.find((t) => t !== 'null') ?? 'any');
  return schema.nullable || types.includes('null') ? fc.option(base, { nil: null }) : base;
}

function arbitraryOfType(schema: JsonSchema, type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': return stringArbitrary(schema);
    case 'integer': { const { min, max } = bounds(schema); return fc.integer({ min: Math.ceil(Math.max(min, Number.MIN_SAFE_INTEGER)), max: Math.floor(Math.min(max, Number.MAX_SAFE_INTEGER)) }); }
    case 'number': { const { min, max } = bounds(schema); return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }); }
    case 'boolean': return fc.boolean();
    case 'array': {
      const minLength = schema.minItems ?? 0;
      return fc.array(schema.items ? validOf(schema.items) : fc.jsonValue(), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? GENERATED_ITEMS_MAX, GENERATED_ITEMS_MAX)) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const requiredKeys = Object.keys(properties).filter((k) => required.has(k));
      return fc.record(Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, validOf(s)])), { requiredKeys });
    }
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values at the schema's limits: still valid, but as short, long, small or large as allowed. */
export function boundaryOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  if (schema.enum || schema.const !== undefined) return validOf(schema);
  if (types.includes('string') && !schema.pattern && !schema.format) {
    const lengths = [schema.minLength ?? 0, schema.maxLength ?? 1000].map((n) => 'x'.repeat(n));
    return fc.oneof(fc.constantFrom(...lengths), fc.constantFrom(...lengths.map((s) => s.replace(/x/g, '汉'))));
  }
  if (types.includes('integer') || types.includes('number')) {
    const { min, max } = bounds(schema);
    return fc.constantFrom(...[min, max, 0].filter((v) => v >= min && v <= max));
  }
  if (types.includes('array') && schema.items) {
    const itemsMax = Math.min(schema.maxItems ?? 50, 50);
    return fc.oneof(fc.array(validOf(schema.items), { minLength: schema.minItems ?? 0, maxLength: schema.minItems ?? 0 }),
      fc.array(validOf(schema.items), { minLength: itemsMax, maxLength: itemsMax }));
  }
  if (types.includes('object') || schema.properties) {
    const properties = schema.properties ?? {};
    return fc.record(Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, boundaryOf(s)])));
  }
  return validOf(schema);
}

const wrongTypes: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '1e309', '-0', '__proto__', '{"a":', '../../etc/passwd', "' OR 1=1 --", '9'.repeat(40)),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }),
);

/** Values the schema must refuse, or that probe it with the unexpected. */
export function malformedOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const options: fc.Arbitrary<unknown>[] = [wrongTypes, fc.jsonValue({ maxDepth: 3 })];
  if (types.includes('object') || schema.properties) {
    const properties = schema.properties ?? {};
    const keys = Object.keys(properties);
    if (keys.length > 0) {
      // One field replaced by something malformed, the others valid.
      options.push(fc.tuple(validOf(schema), fc.constantFrom(...keys)).chain(([value, key]) =>
        malformedOf(properties[key]!).map((bad) => ({ ...(value as object), [key]: bad }))));
      // A required field left out.
      options.push(fc.tuple(validOf(schema), fc.constantFrom(...keys)).map(([value, key]) => {
        const copy = { ...(value as Record<string, unknown>) };
        delete copy[key];
        return copy;
      }));
    }
    options.push(validOf(schema).map((value) => ({ ...(value as object), unexpectedField: 'x', constructor: { prototype: { polluted: true } } })));
  }
  if (types.includes('string')) options.push(fc.constant('y'.repeat((schema.maxLength ?? 1000) + 1)), fc.string({ unit: 'binary', maxLength: 30 }));
  if (types.includes('integer') || types.includes('number')) {
    const { min, max } = bounds(schema);
    options.push(fc.constantFrom(min - 1, max + 1, 0.5, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_VALUE, 1e308));
  }
  if (types.includes('array')) options.push(fc.array(wrongTypes, { minLength: 1, maxLength: 5 }), fc.constant([]));
  return fc.oneof(...options);
}

/** Valid, boundary and malformed values of a schema, in roughly equal measure. */
export function fuzzOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  return fc.oneof(validOf(schema), boundaryOf(schema), malformedOf(schema));
}
