/** Shared pieces of the end-to-end tests: a real `sam2rad serve` process, headless Chromium, and the
 * overlay-pixel count used to see a mask in a screenshot. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import type { PNG } from 'pngjs';

export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
}

/** Starts `node dist/src/app/cli/main.js serve --port 0 ARGS` and resolves with the URL it prints. */
export async function startServe(args: readonly string[]): Promise<ServeProcess> {
  const child = spawn('node', ['dist/src/app/cli/main.js', 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(d.toString());
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${log}`)));
  });
  return { child, url };
}

/** Ends a process the way a supervisor does: SIGTERM (serve then stops its sources, ffmpeg included), and
 * SIGKILL only if it has not exited within `graceMs`. SIGKILL alone leaves a waiting ffmpeg child behind. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Pixels clearly redder than grey: the class-1 overlay colour over a grey ultrasound image. */
export function redPixelCount(shot: PNG): number {
  let coloured = 0;
  for (let i = 0; i < shot.width * shot.height; i++) {
    const [r, g, b] = [shot.data[i * 4]!, shot.data[i * 4 + 1]!, shot.data[i * 4 + 2]!];
    if (r - Math.max(g, b) > 60) coloured++;
  }
  return coloured;
}
