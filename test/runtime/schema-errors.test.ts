/** The one formatter of schema errors (src/core/schema/schema-errors.ts): each problem names where the value
 * came from and the field, in the style of its format. */
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { checkSchema, type FieldStyle } from '../../src/core/schema/schema-errors.js';

const schema = z.strictObject({
  source: z.union([z.string(), z.strictObject({ uri: z.string(), tries: z.int().positive().optional() })]),
  list: z.array(z.number()).optional(),
});
const message = (value: unknown, where: string, style: FieldStyle) => {
  const checked = checkSchema(schema, value, where, style);
  return checked.ok ? 'ok' : checked.message;
};

describe('schema errors', () => {
  it('names the field in each style', () => {
    const value = { source: { uri: 5 }, list: [1, 'two'] };
    expect(message(value, 'x.json', 'path')).toBe('x.json.source.uri: must be a string (got 5); x.json.list[1]: must be a number (got "two")');
    expect(message(value, 'x.json', 'quoted')).toBe('x.json: "source.uri" must be a string (got 5); "list[1]" must be a number (got "two")');
    expect(message(value, 'x.json', 'field')).toBe('x.json: field "source.uri" must be a string (got 5); field "list[1]" must be a number (got "two")');
    expect(message(value, '', 'single-quoted')).toBe(`'source.uri' must be a string (got 5); 'list[1]' must be a number (got "two")`);
  });

  it('reports a union inside the form the value was meant to be, else as the union', () => {
    expect(message({ source: { uri: 'a', tries: 0 } }, 'm', 'path')).toBe('m.source.tries: must be > 0 (got 0)');
    expect(message({ source: 5 }, 'm', 'path')).toBe('m.source: is none of the allowed forms (got 5)');
    expect(message({}, 'm', 'path')).toBe('m.source: is missing');
  });

  it('reports each unknown key at its own path, and counts what it does not list', () => {
    expect(message({ source: 'a', colour: 1, size: 2 }, 'm', 'field')).toBe(
      'm: field "colour" is not a known field (source, list); field "size" is not a known field (source, list)',
    );
    expect(message({ source: 'a', list: ['1', '2', '3', '4', '5', '6', '7'] }, 'm', 'path')).toMatch(/m\.list\[4\]: must be a number \(got "5"\); and 2 more$/);
  });
});
