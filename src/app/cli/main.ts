#!/usr/bin/env node
/** The `sam2rad` command line. */
import { runCommand, UsageError, type Command } from './command.js';
import { benchCommand } from './bench-command.js';
import { evalCommand } from './eval-command.js';
import { roiCommand } from './roi-command.js';
import { segmentCommand } from './segment-command.js';
import { serveCommand } from './serve-command.js';

const COMMANDS: readonly Command[] = [serveCommand, segmentCommand, evalCommand, roiCommand, benchCommand];

function usage(): string {
  return [
    'Usage: sam2rad <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary.split('. ')[0]}`),
    '',
    'Run `sam2rad <command> --help` for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`sam2rad: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return runCommand(command, rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : `sam2rad: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);

