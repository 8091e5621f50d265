#!/usr/bin/env node
/** The `sam2rad` command line. Each command's module is imported only when it is needed, and none of them
 * imports onnxruntime-node at load time (load-model.ts does, inside loadModel): `sam2rad --help` and
 * `sam2rad <command> --help` never load the inference runtime. */
import { runCommand, UsageError, type Command } from './command.js';

const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  serve: async () => (await import('./serve-command.js')).serveCommand,
  segment: async () => (await import('./segment-command.js')).segmentCommand,
  eval: async () => (await import('./eval-command.js')).evalCommand,
  roi: async () => (await import('./roi-command.js')).roiCommand,
  bench: async () => (await import('./bench-command.js')).benchCommand,
  ingest: async () => (await import('./ingest-command.js')).ingestCommand,
  worker: async () => (await import('./worker-command.js')).workerCommand,
  export: async () => (await import('./export-command.js')).exportCommand,
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  return [
    'Usage: sam2rad <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary.split('. ')[0]}`),
    '',
    'Run `sam2rad <command> --help` for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    console.error(`sam2rad: unknown command "${name}"\n\n${await usage()}`);
    return 2;
  }
  return runCommand(await load(), rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof UsageError ? err.message : `sam2rad: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
