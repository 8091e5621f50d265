/** Where the ffmpeg and ffprobe executables are, and what the ffmpeg build can do.
 *
 * Order: the env variable (FFMPEG_PATH / FFPROBE_PATH), then the first one on PATH, then the optional npm
 * package that ships a static build (@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe). The package
 * comes last because distribution builds are newer and have more protocols (srt) and devices; its ffmpeg is
 * a 2018 snapshot of the 4.x line, so option spellings that changed since then are chosen by version
 * (`ffmpegBuild`, `passthroughArgs`). */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

interface Tool {
  readonly name: 'ffmpeg' | 'ffprobe';
  readonly envVar: string;
  readonly npmPackage: string;
}

const FFMPEG: Tool = { name: 'ffmpeg', envVar: 'FFMPEG_PATH', npmPackage: '@ffmpeg-installer/ffmpeg' };
const FFPROBE: Tool = { name: 'ffprobe', envVar: 'FFPROBE_PATH', npmPackage: '@ffprobe-installer/ffprobe' };

const resolved = new Map<Tool, Promise<string>>();

/** Absolute path of the ffmpeg executable (resolved once per process). */
export function ffmpegPath(): Promise<string> {
  return resolveOnce(FFMPEG);
}

/** Absolute path of the ffprobe executable (resolved once per process). */
export function ffprobePath(): Promise<string> {
  return resolveOnce(FFPROBE);
}

function resolveOnce(tool: Tool): Promise<string> {
  return once(resolved, tool, () => resolveTool(tool));
}

/** One promise per key; a failed one is not cached, so the user may fix the environment and retry. */
function once<K, V>(cache: Map<K, Promise<V>>, key: K, make: () => Promise<V>): Promise<V> {
  let found = cache.get(key);
  if (!found) {
    found = make();
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

async function resolveTool(tool: Tool): Promise<string> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv}: no executable file there`);
    return path.resolve(fromEnv);
  }
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.resolve(dir, tool.name);
    if (candidate && isExecutable(candidate)) return candidate;
  }
  const fromPackage = await packagedBinary(tool);
  if (fromPackage) return fromPackage;
  throw new Error(
    `${tool.name} not found: set ${tool.envVar}, install ${tool.name} (e.g. apt install ffmpeg) ` +
      `or the optional npm package ${tool.npmPackage}`,
  );
}

/** The optional package exports `{ path }`; it is absent when optional dependencies were skipped. */
async function packagedBinary(tool: Tool): Promise<string | undefined> {
  try {
    // A variable specifier keeps TypeScript from requiring the optional package's types at build time.
    const specifier: string = tool.npmPackage;
    const mod = (await import(specifier)) as { path?: unknown; default?: { path?: unknown } };
    const binary = mod.path ?? mod.default?.path;
    return typeof binary === 'string' && isExecutable(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** An ffmpeg release number (major.minor). */
export interface FfmpegVersion {
  readonly major: number;
  readonly minor: number;
}

export interface FfmpegBuild {
  readonly path: string;
  /** The first line of `ffmpeg -version`, e.g. `ffmpeg version 5.1.9-0+deb12u1 Copyright (c) ...`. */
  readonly banner: string;
  /** The release; for a git snapshot (`ffmpeg version N-47683-g0e8eb07980`), the release of its libavutil. */
  readonly version: FfmpegVersion;
}

const builds = new Map<string, Promise<FfmpegBuild>>();

/** What the ffmpeg at `binary` (default: `ffmpegPath()`) is: `ffmpeg -version`, run once per path and cached. */
export async function ffmpegBuild(binary?: string): Promise<FfmpegBuild> {
  const file = binary ?? (await ffmpegPath());
  return once(builds, file, () => readBuild(file));
}

/** stdout of a short informational ffmpeg run (-version, -protocols). */
function query(file: string, option: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    // On failure execFile's message carries ffmpeg's stderr ("Command failed: ...\n<stderr>").
    execFile(file, ['-hide_banner', option], { timeout: 10_000 }, (err, stdout) => {
      if (err) reject(new Error(`cannot run ${file}: ${err.message.trim()}`));
      else resolve(stdout);
    });
  });
}

async function readBuild(file: string): Promise<FfmpegBuild> {
  const output = await query(file, '-version');
  const banner = output.split('\n', 1)[0]!.trim();
  const version = parseFfmpegVersion(output);
  if (!version) throw new Error(`${file}: cannot tell which ffmpeg release this is from \`ffmpeg -version\`: ${banner}`);
  return { path: file, banner, version };
}

/** libavutil major.minor at each ffmpeg release from 3.0 on (a git snapshot is dated by its libavutil). */
const LIBAVUTIL_RELEASES: readonly (readonly [avutil: readonly [number, number], release: FfmpegVersion])[] = [
  [[55, 17], { major: 3, minor: 0 }],
  [[55, 28], { major: 3, minor: 1 }],
  [[55, 34], { major: 3, minor: 2 }],
  [[55, 58], { major: 3, minor: 3 }],
  [[55, 78], { major: 3, minor: 4 }],
  [[56, 14], { major: 4, minor: 0 }],
  [[56, 22], { major: 4, minor: 1 }],
  [[56, 31], { major: 4, minor: 2 }],
  [[56, 51], { major: 4, minor: 3 }],
  [[56, 70], { major: 4, minor: 4 }],
  [[57, 17], { major: 5, minor: 0 }],
  [[57, 28], { major: 5, minor: 1 }],
  [[58, 2], { major: 6, minor: 0 }],
  [[58, 29], { major: 6, minor: 1 }],
  [[59, 8], { major: 7, minor: 0 }],
  [[59, 39], { major: 7, minor: 1 }],
  [[60, 8], { major: 8, minor: 0 }],
];

/** The release from `ffmpeg -version` output: `ffmpeg version 4.4.2-0ubuntu0.22.04.1`, `ffmpeg version n6.1`,
 * or for snapshots (`N-47683-g...`, `git-2020-...`) the newest release whose libavutil it has reached. */
export function parseFfmpegVersion(versionOutput: string): FfmpegVersion | undefined {
  const release = /^ffmpeg version n?(\d+)\.(\d+)/m.exec(versionOutput);
  if (release) return { major: Number(release[1]), minor: Number(release[2]) };
  const avutil = /^libavutil\s+(\d+)\.\s*(\d+)\./m.exec(versionOutput);
  if (!avutil) return undefined;
  const [major, minor] = [Number(avutil[1]), Number(avutil[2])];
  let found: FfmpegVersion | undefined;
  for (const [[avMajor, avMinor], version] of LIBAVUTIL_RELEASES) {
    if (major > avMajor || (major === avMajor && minor >= avMinor)) found = version;
  }
  return found;
}

/** True when `build` is release `major.minor` or newer. */
export function ffmpegAtLeast(build: FfmpegBuild, major: number, minor = 0): boolean {
  const v = build.version;
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** Output options that keep every decoded frame exactly once (no duplicates or drops for a nominal rate):
 * `-fps_mode passthrough` from ffmpeg 5.1 on, `-vsync passthrough` (its old spelling) before. */
export function passthroughArgs(build: FfmpegBuild): string[] {
  return ffmpegAtLeast(build, 5, 1) ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

const inputProtocols = new Map<string, Promise<ReadonlySet<string>>>();

/** The protocols the ffmpeg at `binary` (default: `ffmpegPath()`) reads (`ffmpeg -protocols`, Input
 * section), run once per binary. srt, for one, is there only in builds made with libsrt. */
export async function ffmpegInputProtocols(binary?: string): Promise<ReadonlySet<string>> {
  const file = binary ?? (await ffmpegPath());
  return once(inputProtocols, file, async () => {
    const output = await query(file, '-protocols');
    const input = /^Input:\s*$([\s\S]*?)^Output:/m.exec(output)?.[1] ?? '';
    return new Set(input.split(/\s+/).filter(Boolean));
  });
}
