import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { api } from '../../src-shared/contract/api.js';
import { events } from '../../src-shared/contract/events.js';

const SECRET = /pass(word|phrase)|private_?key|secret|token|credential/i;

/** Every field path of a schema (objects, arrays, unions, wrappers followed), as `a.b[].c`. */
function fieldPaths(schema: z.ZodType, at = '', seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const sub = (s: unknown, p: string) => fieldPaths(s as z.ZodType, p, seen);
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape as Record<string, z.ZodType>).flatMap(([k, v]) => [
        `${at}.${k}:${leafType(v)}`,
        ...sub(v, `${at}.${k}`),
      ]);
    case 'array':
      return sub(def.element, `${at}[]`);
    case 'record':
      return sub(def.valueType, `${at}{}`);
    case 'tuple':
      return (def.items as z.ZodType[]).flatMap((v, i) => sub(v, `${at}[${i}]`));
    case 'union':
      return (def.options as z.ZodType[]).flatMap((v) => sub(v, at));
    case 'intersection':
      return [...sub(def.left, at), ...sub(def.right, at)];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return sub(def.innerType, at);
    case 'pipe':
      return [...sub(def.in, at), ...sub(def.out, at)];
    case 'lazy':
      return sub((def.getter as () => z.ZodType)(), at);
    default:
      return [];
  }
}

/** The type under optional/nullable/default wrappers: a `hasPassword: boolean` flag is not a secret. */
function leafType(schema: z.ZodType): string {
  const def = (schema as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
  return def.innerType ? leafType(def.innerType) : def.type;
}

/** A field that could carry a secret: named like one, and not a yes/no flag. */
const leaks = (path: string) => {
  const [name = '', type] = (path.split('.').pop() ?? '').split(':');
  return SECRET.test(name) && type !== 'boolean';
};

describe('the renderer never receives a secret', () => {
  it('no RPC output and no event payload has a field named like a password, passphrase, private key, secret or token', () => {
    const found: string[] = [];
    let fields = 0;
    for (const [method, m] of Object.entries(api)) {
      const paths = fieldPaths(m.output as z.ZodType, method);
      fields += paths.length;
      found.push(...paths.filter(leaks));
    }
    for (const [event, schema] of Object.entries(events)) {
      const paths = fieldPaths(schema as z.ZodType, `event ${event}`);
      fields += paths.length;
      found.push(...paths.filter(leaks));
    }
    expect(fields).toBeGreaterThan(100); // the walk really reached the schemas
    expect(found).toEqual([]);
  });

  it('the walk does see secret-named input fields (so a leak in an output would be seen too)', () => {
    const inputs = Object.entries(api).flatMap(([method, m]) => fieldPaths(m.input as z.ZodType, method));
    expect(inputs.filter(leaks).length).toBeGreaterThan(0);
  });
});
