/** Where the ffmpeg and ffprobe executables are. Order: the env variable (FFMPEG_PATH / FFPROBE_PATH),
 * the system binary in /usr/bin, any on PATH, then the optional npm package that ships a static build
 * (@ffmpeg-installer/ffmpeg, @ffprobe-installer/ffprobe). The system build comes before the package
 * because distribution builds are newer and have more protocols (srt, rtsp over tls) and v4l2. */
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
  let found = resolved.get(tool);
  if (!found) {
    found = resolveTool(tool);
    // A failed lookup is not cached: the user may fix the environment and retry in the same process.
    found.catch(() => resolved.delete(tool));
    resolved.set(tool, found);
  }
  return found;
}

async function resolveTool(tool: Tool): Promise<string> {
  const fromEnv = process.env[tool.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`${tool.envVar}=${fromEnv}: no executable file there`);
    return fromEnv;
  }
  const system = path.join('/usr/bin', tool.name);
  if (isExecutable(system)) return system;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = dir && path.join(dir, tool.name);
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
