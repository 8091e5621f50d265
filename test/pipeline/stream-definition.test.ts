import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadStreamDefinition,
  loadStreamDefinitions,
  parseStreamDefinition,
  streamDefinitionJsonSchema,
} from '../../src/app/pipeline/stream-definition.js';

const STREAMS = path.resolve(import.meta.dirname, '../../streams');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sam2rad-streams-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('stream definitions', () => {
  it('loads the shipped definitions', async () => {
    const definitions = await loadStreamDefinitions(STREAMS);
    expect(definitions.map((d) => d.name).sort()).toEqual(['demo', 'udp', 'v4l2-grabber']);
    const demo = definitions.find((d) => d.name === 'demo')!;
    expect(demo).toMatchObject({
      source: 'demo',
      sourceOptions: { loop: true, realtime: true },
      roi: 'auto',
      model: path.resolve(STREAMS, '../models/sam2rad-us'),
      classes: ['fetal_head'],
    });
    const grabber = definitions.find((d) => d.name === 'v4l2-grabber')!;
    expect(grabber).toMatchObject({ source: '/dev/video0', sourceOptions: { inputFormat: 'mjpeg', videoSize: '1280x720' } });
  });

  it('resolves relative paths against the definition file, and accepts a URI string and a fixed ROI', () => {
    const file = path.join(dir, 'clip.json');
    const definition = parseStreamDefinition(
      { name: 'clip', source: 'clips/a.mp4', roi: { x: 0, y: 10, width: 100, height: 80 } },
      file,
    );
    expect(definition).toMatchObject({ source: path.join(dir, 'clips/a.mp4'), sourceOptions: {}, roi: { x: 0, y: 10, width: 100, height: 80 } });
  });

  it.each([
    [{ source: 'demo' }, 'field "name" must be a name'],
    [{ name: 'x', source: 'demo', colour: 1 }, 'field "colour" is not a stream definition field'],
    [{ name: 'x', source: { uri: 'demo', loop: 'yes' } }, 'field "source.loop" must be true or false (got "yes")'],
    [{ name: 'x', source: { uri: 'demo', fsp: 30 } }, 'field "source.fsp" is not a source option'],
    [{ name: 'x', source: { loop: true } }, 'field "source.uri" must be a non-empty URI string'],
    [{ name: 'x', source: { uri: 'demo', width: 64 } }, 'field "source.width" and source.height go together'],
    [{ name: 'x', source: { uri: 'demo', reconnect: { initialDelayMs: -1 } } }, 'field "source.reconnect.initialDelayMs" must be a positive number'],
    [{ name: 'x', source: 'demo', roi: 'middle' }, 'field "roi" must be "auto", "none" or {x, y, width, height}'],
    [{ name: 'x', source: 'demo', roi: { x: 0, y: 0, width: 0, height: 5 } }, 'field "roi.width" must be a positive integer'],
    [{ name: 'x', source: 'demo', classes: [] }, 'field "classes" must be a non-empty list of class names'],
    [{ name: 'x', source: 'demo', classes: ['a', 'a'] }, 'field "classes" names "a" twice'],
  ])('rejects %j naming the file and field', (json, message) => {
    expect(() => parseStreamDefinition(json, 'streams/bad.json')).toThrow(`streams/bad.json: ${message}`);
  });

  it('reports unreadable and invalid JSON files, and duplicate names', async () => {
    await expect(loadStreamDefinition(path.join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: cannot be read/);
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{ "name": ');
    await expect(loadStreamDefinition(broken)).rejects.toThrow(/broken\.json: is not valid JSON/);

    const twins = await mkdtemp(path.join(dir, 'twins-'));
    await writeFile(path.join(twins, 'a.json'), JSON.stringify({ name: 'same', source: 'demo' }));
    await writeFile(path.join(twins, 'b.json'), JSON.stringify({ name: 'same', source: 'demo' }));
    await expect(loadStreamDefinitions(twins)).rejects.toThrow(/b\.json: field "name" "same" is also the name in .*a\.json/);
  });

  it('names the file and every field at fault in a definition on disk', async () => {
    const file = path.join(dir, 'bad-fields.json');
    await writeFile(file, JSON.stringify({
      $schema: './stream-definition.schema.json',
      name: 'x',
      source: { uri: 5, inputArgs: ['-re', 7] },
      roi: { x: -1, y: 0, width: 4, height: 4, w: 1 },
    }));
    await expect(loadStreamDefinition(file)).rejects.toThrow(
      `${file}: field "source.uri" must be a non-empty URI string (got 5); field "source.inputArgs[1]" must be a string (got 7); ` +
        'field "roi.x" must be an integer >= 0 (got -1); field "roi.w" is not x, y, width or height',
    );
    expect(() => parseStreamDefinition([], 'streams/list.json')).toThrow('streams/list.json: must hold a JSON object');
    expect(() => parseStreamDefinition({ name: 'x', source: 5 }, 'streams/x.json')).toThrow(
      'streams/x.json: field "source" must be a URI string or an object with "uri" (got 5)',
    );
  });

  it('publishes a JSON Schema generated from the loader\'s schema, which every shipped definition names', async () => {
    const committed = JSON.parse(await readFile(path.join(STREAMS, 'stream-definition.schema.json'), 'utf8'));
    // Out of date? npm run build && node scripts/write-schemas.mjs
    expect(committed).toEqual(streamDefinitionJsonSchema());
    const definitions = (await readdir(STREAMS)).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'));
    expect(definitions.length).toBeGreaterThan(0);
    for (const f of definitions) {
      expect(JSON.parse(await readFile(path.join(STREAMS, f), 'utf8')).$schema, f).toBe('./stream-definition.schema.json');
    }
  });
});
