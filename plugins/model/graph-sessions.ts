/** One onnxruntime session per Sam2Rad graph, on the requested provider or the one it falls back to. */
import type * as ort from 'onnxruntime-node';
import {
  GRAPH_NAMES,
  defaultPrecision,
  loadManifest,
  type GraphName,
  type LoadedManifest,
} from '../../src/core/runtime/manifest.js';
import { createSession, type ExecutionProvider, type ProviderChoice } from '../../src/core/runtime/execution-provider.js';
import { DEVICE_OUTPUTS } from './device-outputs.js';
import type { ModelOptions } from './sam2rad-model.js';

export type Sessions = Record<GraphName, ort.InferenceSession>;

/** The graph files to run on a provider: fixed by `precision`, else the manifest's default for it. */
function graphsFor(dir: string, options: ModelOptions, ep: ExecutionProvider): Promise<LoadedManifest> {
  return loadManifest(dir, options.precision ?? { defaultFor: ep });
}

/** One session per graph. The first graph learns whether the requested provider starts; if it falls
 * back, the graphs for the provider in use are loaded before the rest are built. */
export async function createSessions(
  dir: string,
  options: ModelOptions,
  deviceOutputs: boolean,
): Promise<{ loaded: LoadedManifest; sessions: Sessions; provider: ProviderChoice }> {
  let loaded = await graphsFor(dir, options, options.ep);
  const sessions = {} as Sessions;
  let provider: ProviderChoice | undefined;
  for (const name of GRAPH_NAMES) {
    try {
      // Once the requested provider has failed, the other graphs go straight to the fallback.
      const settings = provider ? { ...options, ep: provider.used } : options;
      const outputs = deviceOutputs ? (DEVICE_OUTPUTS[name] ?? []) : [];
      const created = await createSession(loaded.graphs[name].bytes, settings, outputs);
      const { choice } = created;
      let { session } = created;
      // Decided from the manifest already read: only a different precision loads (and hashes) other graphs.
      if (!provider && options.precision === undefined && defaultPrecision(loaded.manifest, choice.used) !== loaded.precision) {
        await session.release();
        loaded = await graphsFor(dir, options, choice.used);
        ({ session } = await createSession(loaded.graphs[name].bytes, { ...options, ep: choice.used }, outputs));
      }
      sessions[name] = session;
      provider ??= choice;
    } catch (err) {
      await releaseSessions(sessions);
      throw new Error(`${loaded.dir}/${loaded.graphs[name].file}: onnxruntime cannot load graph "${name}" (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return { loaded, sessions, provider: provider! };
}

export async function releaseSessions(sessions: Sessions): Promise<void> {
  await Promise.all(Object.values(sessions).map((s) => s.release()));
}
