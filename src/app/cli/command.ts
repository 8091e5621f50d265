/** A tiny typed command framework over node:util parseArgs: each command declares its options and help. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { readonly help: string; readonly arg?: string };

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly allowPositionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

export class UsageError extends Error {}

export function helpText(command: Command): string {
  const lines = [`Usage: sam2rad ${command.usage}`, '', command.summary, '', 'Options:'];
  for (const [name, spec] of Object.entries(command.options)) {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.arg ?? 'VALUE'}` : ''}`;
    const def = spec.default !== undefined && spec.default !== false ? ` (default: ${String(spec.default)})` : '';
    lines.push(`  ${flag.padEnd(26)} ${spec.help}${def}`);
  }
  lines.push(`  ${'--help'.padEnd(26)} show this help`);
  return lines.join('\n');
}

export async function runCommand(command: Command, argv: string[]): Promise<number> {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([k, { help: _help, arg: _arg, ...spec }]) => [k, spec]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', default: false } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${helpText(command)}`);
  }
  if (parsed.values.help) {
    process.stdout.write(helpText(command) + '\n');
    return 0;
  }
  return command.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}

/** The option's value when it is one of `choices`, else a usage error that names them. */
export function choiceOption<T extends string>(values: Record<string, unknown>, name: string, choices: readonly T[]): T {
  const raw = String(values[name]);
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`--${name}: "${raw}" is not one of ${choices.join(', ')}`);
}

export function intOption(values: Record<string, unknown>, name: string, min = 0): number {
  const raw = values[name];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name}: expected an integer >= ${min}, got "${String(raw)}"`);
  return n;
}
