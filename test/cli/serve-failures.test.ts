/** `sam2rad serve` with bad input stays up and says what is wrong on /healthz: a corrupt model file
 * (named), an unreadable source, and a network source that dies mid-stream. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../../src/core/runtime/manifest.js';
import { startServe, stopProcess } from '../helpers/harness.js';
import { copyModelDir } from '../helpers/model-dir.js';

const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopProcess(child)));
});

async function serve(args: string[]): Promise<string> {
  const server = await startServe(args);
  children.push(server.child);
  return server.url;
}

async function health(url: string): Promise<any> {
  const res = await fetch(`${url}/healthz`);
  expect(res.status).toBe(200);
  return res.json();
}

describe('serve keeps serving on bad input', () => {
  it('reports a corrupt model graph by file name', async () => {
    const dir = await copyModelDir('sam2rad-bad-model-');
    try {
      // The mask decoder file the CPU loads by default.
      const { precision, graphs } = await loadManifest(dir, { defaultFor: 'cpu' });
      const file = path.join(dir, graphs.mask_decoder.file);
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length >> 1));
      const url = await serve(['--model', dir]);
      const report = await health(url);
      expect(report.status).toBe('degraded');
      expect(report.model.error).toContain(`${graphs.mask_decoder.file}: ${precision === 'fp32' ? '' : `${precision} `}graph "mask_decoder" does not match the manifest`);
      expect((await fetch(url)).status).toBe(200); // the viewer is still served
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable source', async () => {
    const url = await serve(['--source', '/nonexistent/clip.mp4']);
    const report = await health(url);
    expect(report.status).toBe('degraded');
    expect(report.source.state).toBe('failed');
    expect(report.source.lastError).toMatch(/\/nonexistent\/clip\.mp4: no such file or directory/);
  });

  it('a network source that dies mid-stream is reported and reconnected while the server serves', async () => {
    const port = 24000 + Math.floor(Math.random() * 1000);
    const url = await serve(['--source', `udp://127.0.0.1:${port}`, '--class', 'fetal_head']);
    const sender = spawn('ffmpeg', ['-v', 'error', '-re', '-stream_loop', '-1', '-i', 'assets/demo/demo.mp4', '-c', 'copy',
      '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`], { stdio: 'ignore' });
    children.push(sender);
    await expect.poll(async () => (await health(url)).source.state, { timeout: 30_000, interval: 250 }).toBe('streaming');
    sender.kill('SIGKILL');
    await expect.poll(async () => (await health(url)).source.state, { timeout: 30_000, interval: 250 }).toBe('reconnecting');
    const report = await health(url);
    expect(report.status).toBe('degraded');
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
  }, 90_000);
});
