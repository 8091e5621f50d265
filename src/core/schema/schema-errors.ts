/** How a schema's complaint becomes an error message, shared by the formats at the project's boundaries
 * (the model manifest, stream definitions, `--prompts` files, WebSocket control messages; each defines its
 * type, validator and messages in one zod schema). Every message names where the value came from (a file,
 * a message type) and the field:
 *
 *   bad.json[0].points[0]: expected numeric x and y                      (style 'path')
 *   models/x/manifest.json: "memory.frames" must be a positive integer   (style 'quoted')
 *   streams/x.json: field "source.uri" must be a non-empty URI string    (style 'field')
 *   record: 'action' must be 'start' or 'stop' (got "jump")              (style 'single-quoted')
 *
 * A schema gives a field its own message with `must(...)` or `{ error: ... }`; `defaultMessages` words the
 * rest (pass it to every parse, as `checkSchema` does). Validation runs where a value enters: reading a
 * file, a control message; never per frame. */
import * as z from 'zod';

/** How the field's path is shown: appended to `where` (`prompt.points[0]: …`), or quoted after it. */
export type FieldStyle = 'path' | 'quoted' | 'field' | 'single-quoted';

/** One problem: the field's path inside the value, and what is wrong with it. */
export interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** At most this many problems are listed in one message; the rest are counted. */
const MAX_LISTED = 5;

/** A value as a message quotes it: JSON, cut short. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** ` (got 5)`, or nothing for a missing value. */
function got(input: unknown): string {
  return input === undefined ? '' : ` (got ${show(input)})`;
}

/** A field's own message, for every way its value can be wrong: `must be ${what} (got …)`. */
export function must(what: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `must be ${what}${got(issue.input)}`;
}

/** A field's own message in the words given, with the value it got: `${text} (got …)`. */
export function says(text: string): (issue: { readonly input?: unknown }) => string {
  return (issue) => `${text}${got(issue.input)}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  tuple: 'a list',
  record: 'an object',
  null: 'null',
};

function listValues(values: readonly unknown[]): string {
  const shown = values.map((v) => show(v));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(', ')}`;
}

function bound(issue: { origin: string; inclusive?: boolean }, limit: number | bigint, below: boolean): string {
  const n = Number(limit);
  if (issue.origin === 'array' || issue.origin === 'set') {
    if (below && n === 1) return 'must not be empty';
    return `must have ${below ? 'at least' : 'at most'} ${n} ${n === 1 ? 'entry' : 'entries'}`;
  }
  if (issue.origin === 'string') {
    if (below && n === 1) return 'must not be empty';
    return `must be ${below ? 'at least' : 'at most'} ${n} characters long`;
  }
  const op = below ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
  return `must be ${op} ${n}`;
}

/** The wording of problems a schema gives no message of its own. */
export const defaultMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}${got(issue.input)}`;
    case 'invalid_value':
      return `must be ${listValues(issue.values)}${got(issue.input)}`;
    case 'too_small':
      return `${bound(issue, issue.minimum, true)}${got(issue.input)}`;
    case 'too_big':
      return `${bound(issue, issue.maximum, false)}${got(issue.input)}`;
    case 'not_multiple_of':
      return `must be a multiple of ${Number(issue.divisor)}${got(issue.input)}`;
    case 'invalid_format':
      return `${issue.format === 'regex' && 'pattern' in issue ? `must match ${String(issue.pattern)}` : `must be a valid ${issue.format}`}${got(issue.input)}`;
    case 'unrecognized_keys': {
      const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
      if (!shape) return 'is not a known field';
      const known = Object.keys(shape);
      return `is not a known field (${known.length ? known.join(', ') : 'there are none'})`;
    }
    case 'invalid_union':
      return issue.input === undefined ? 'is missing' : `is none of the allowed forms${got(issue.input)}`;
    default:
      return undefined;
  }
};

/** The problems of a failed parse, one per field: a union's problem is reported inside the one form the
 * value was meant to be (the form it matched at the top, e.g. an object with a wrong field), else as the
 * union's own message; each unknown key is a problem of its own, at that key. */
export function problems(issues: readonly z.core.$ZodIssue[], base: readonly PropertyKey[] = []): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = [...base, ...issue.path];
    if (issue.code === 'invalid_union') {
      const meant = issue.errors.filter((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
      if (meant.length === 1) return problems(meant[0]!, path);
    }
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key], message: issue.message }));
    return [{ path, message: issue.message }];
  });
}

/** `points[0].x` (or `.points[0].x` after a `where` it continues). */
function accessor(path: readonly PropertyKey[], continues: boolean): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 && !continues ? '' : '.'}${String(key)}`))
    .join('');
}

const QUOTED: Record<Exclude<FieldStyle, 'path'>, { readonly quote: string; readonly label: string }> = {
  quoted: { quote: '"', label: '' },
  field: { quote: '"', label: 'field ' },
  'single-quoted': { quote: "'", label: '' },
};

/** One problem as text, located by `where` and its field. */
export function formatProblem(where: string, problem: Problem, style: FieldStyle): string {
  if (style === 'path') {
    const at = `${where}${accessor(problem.path, where !== '')}`;
    return at ? `${at}: ${problem.message}` : problem.message;
  }
  const { quote, label } = QUOTED[style];
  const field = problem.path.length ? `${label}${quote}${accessor(problem.path, false)}${quote} ` : '';
  return `${where ? `${where}: ` : ''}${field}${problem.message}`;
}

/** Every problem of a failed parse in one message (`; ` between them). In the quoted styles `where` is
 * said once, at the start; in the 'path' style each field continues it. */
export function formatSchemaError(where: string, error: z.ZodError, style: FieldStyle): string {
  const all = problems(error.issues);
  const listed = all.slice(0, MAX_LISTED);
  const more = all.length > listed.length ? [`and ${all.length - listed.length} more`] : [];
  if (style === 'path') return [...listed.map((p) => formatProblem(where, p, style)), ...more].join('; ');
  const text = [...listed.map((p) => formatProblem('', p, style)), ...more].join('; ');
  return where ? `${where}: ${text}` : text;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** Parses `value` with `schema` (and `defaultMessages`): the parsed value, or one message naming `where`
 * and every field at fault. Each format throws its own error class with the message. */
export function checkSchema<S extends z.ZodType>(schema: S, value: unknown, where: string, style: FieldStyle): Checked<z.output<S>> {
  const result = schema.safeParse(value, { error: defaultMessages });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, message: formatSchemaError(where, result.error, style) };
}

// ---- Field schemas several formats share (each with its message) ----

export const positiveInteger = () => z.int({ error: must('a positive integer') }).positive();
export const nonNegativeInteger = () => z.int({ error: must('an integer >= 0') }).nonnegative();
export const positiveNumber = () => z.number({ error: must('a positive number') }).positive();
/** A string with something other than white space in it. */
export const nonEmptyString = (what = 'a non-empty string') => z.string({ error: must(what) }).regex(/\S/);
