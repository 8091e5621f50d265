/** Which ffmpeg runs (FFMPEG_PATH, then PATH, then the npm package) and what release it is. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegBuild, ffmpegInputProtocols, parseFfmpegVersion, passthroughArgs } from '../../src/core/frames/ffmpeg.js';

const run = promisify(execFile);
const NPM_FFMPEG = path.resolve('node_modules/@ffmpeg-installer/linux-x64/ffmpeg');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-ffmpeg-'));
  await writeFile(path.join(dir, 'ffmpeg'), '#!/bin/sh\necho "ffmpeg version 6.1.1"\n');
  await chmod(path.join(dir, 'ffmpeg'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A module script run in a fresh process (ffmpegPath() is cached per process) with the given environment,
 * against the build in dist/ (npm test builds first); its stdout. */
async function inFreshProcess(script: string, env: Record<string, string>): Promise<string> {
  const { FFMPEG_PATH: _unset, ...inherited } = process.env;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...inherited, ...env } });
  return stdout.trim();
}

function resolvedIn(env: Record<string, string>): Promise<string> {
  return inFreshProcess("const { ffmpegPath } = await import('./dist/src/core/frames/ffmpeg.js'); console.log(await ffmpegPath());", env);
}

describe('ffmpeg resolution', () => {
  it('takes FFMPEG_PATH first (made absolute), then PATH, then the npm package', async () => {
    expect(await resolvedIn({ FFMPEG_PATH: path.relative(process.cwd(), path.join(dir, 'ffmpeg')), PATH: '/usr/bin:/bin' })).toBe(path.join(dir, 'ffmpeg'));
    expect(await resolvedIn({ PATH: `${dir}:/usr/bin:/bin` })).toBe(path.join(dir, 'ffmpeg'));
    if (existsSync(NPM_FFMPEG)) expect(await resolvedIn({ PATH: path.join(dir, 'empty') })).toBe(NPM_FFMPEG);
  });
});

describe('ffmpeg release', () => {
  it('reads the release from the banner, or from libavutil for a git snapshot', () => {
    expect(parseFfmpegVersion('ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026\nlibavutil      57. 28.100')).toEqual({ major: 5, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version n6.1.1 Copyright (c)')).toEqual({ major: 6, minor: 1 });
    expect(parseFfmpegVersion('ffmpeg version 4.4.2-0ubuntu0.22.04.1')).toEqual({ major: 4, minor: 4 });
    const snapshot = (avutil: string) => `ffmpeg version N-47683-g0e8eb07980-static https://johnvansickle.com/ffmpeg/\nlibavutil      ${avutil} / ${avutil}\n`;
    expect(parseFfmpegVersion(snapshot('56. 24.101'))).toEqual({ major: 4, minor: 1 });
    expect(parseFfmpegVersion(snapshot('57. 27.100'))).toEqual({ major: 5, minor: 0 });
    expect(parseFfmpegVersion(snapshot('58. 29.100'))).toEqual({ major: 6, minor: 1 });
    expect(parseFfmpegVersion('not ffmpeg at all')).toBeUndefined();
  });

  it.runIf(existsSync(NPM_FFMPEG))('runs the npm fallback build (a 2018 4.x snapshot) with -vsync, its spelling of -fps_mode', async () => {
    const build = await ffmpegBuild(NPM_FFMPEG);
    expect(build.banner).toMatch(/^ffmpeg version N-/);
    expect(build.version).toEqual({ major: 4, minor: 1 });
    expect(passthroughArgs(build)).toEqual(['-vsync', 'passthrough']);
    expect(await ffmpegBuild(NPM_FFMPEG)).toBe(build); // read once
  });

  it.runIf(existsSync(NPM_FFMPEG))('says at start that srt:// needs an ffmpeg with libsrt, which the npm build is not', async () => {
    const protocols = await ffmpegInputProtocols(NPM_FFMPEG);
    expect(protocols.has('udp')).toBe(true);
    expect(protocols.has('srt')).toBe(false);
    const script = "const { openSource } = await import('./dist/plugins/sources/index.js');" +
      "await openSource('srt://127.0.0.1:9').then(() => console.log('opened'), (err) => console.log(err.message));";
    expect(await inFreshProcess(script, { FFMPEG_PATH: NPM_FFMPEG })).toBe(
      `srt://127.0.0.1:9: srt:// needs ffmpeg 4.0 or later built with libsrt (--enable-libsrt; Debian and Ubuntu builds have it); ${NPM_FFMPEG} (ffmpeg 4.1) lists no srt input in \`ffmpeg -protocols\`: set FFMPEG_PATH to one that does`,
    );
  });

  it('names a binary that cannot tell its release', async () => {
    await expect(ffmpegBuild(path.join(dir, 'ffmpeg'))).resolves.toMatchObject({ version: { major: 6, minor: 1 } });
    await writeFile(path.join(dir, 'not-ffmpeg'), '#!/bin/sh\necho hello\n');
    await chmod(path.join(dir, 'not-ffmpeg'), 0o755);
    await expect(ffmpegBuild(path.join(dir, 'not-ffmpeg'))).rejects.toThrow(/not-ffmpeg: cannot tell which ffmpeg release/);
  });
});
