/** Execution-provider choice with an explicit fallback chain: the requested provider, then cpu.
 * One log line says which provider is actually used and why. */
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from './providers.js';

// Failures reach us as exceptions; onnxruntime's own stderr log would repeat them less readably.
ort.env.logLevel = 'fatal';

export { EXECUTION_PROVIDERS, type ExecutionProvider } from './providers.js';

export interface SessionSettings {
  readonly ep: ExecutionProvider;
  /** Threads for one operator; spinning is off so idle threads do not burn the cores the pipeline needs. */
  readonly intraOpThreads: number;
}

export interface ProviderChoice {
  readonly requested: ExecutionProvider;
  readonly used: ExecutionProvider;
  /** Why the requested provider was not used (absent when it was). */
  readonly fallbackReason?: string;
}

/** Graph outputs to leave in GPU memory, for the next graph to read there (see plugins/model/device-outputs.ts). */
export type DeviceOutputs = readonly string[];

/** onnxruntime-node 1.30 keeps outputs on the device only for WebGPU: `preferredOutputLocation:
 * 'gpu-buffer'` binds them to WebGPU buffers. The Node binding has no CUDA memory location, so CUDA
 * outputs always come back to host memory. */
export function keepsOutputsOnDevice(ep: ExecutionProvider): boolean {
  return ep === 'webgpu';
}

export function sessionOptions(
  settings: SessionSettings,
  ep: ExecutionProvider,
  deviceOutputs: DeviceOutputs = [],
): ort.InferenceSession.SessionOptions {
  const onDevice = keepsOutputsOnDevice(ep) && deviceOutputs.length > 0;
  return {
    executionProviders: [ep],
    ...(onDevice ? { preferredOutputLocation: Object.fromEntries(deviceOutputs.map((name) => [name, 'gpu-buffer' as const])) } : {}),
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: settings.intraOpThreads,
    interOpNumThreads: 1,
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** Creates one session, falling back to cpu when the requested provider cannot start. */
export async function createSession(
  bytes: Uint8Array,
  settings: SessionSettings,
  deviceOutputs: DeviceOutputs = [],
): Promise<{ session: ort.InferenceSession; choice: ProviderChoice }> {
  if (settings.ep !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, settings.ep, deviceOutputs));
      return { session, choice: { requested: settings.ep, used: settings.ep } };
    } catch (err) {
      // onnxruntime prefixes the reason with its source location and the failed check.
      const reason = (err as Error).message.split('\n')[0]!.replace(/^\/\S+:\d+ .* was false\. /, '');
      const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, 'cpu'));
      return { session, choice: { requested: settings.ep, used: 'cpu', fallbackReason: reason } };
    }
  }
  const session = await ort.InferenceSession.create(bytes, sessionOptions(settings, 'cpu'));
  return { session, choice: { requested: 'cpu', used: 'cpu' } };
}

export function describeChoice(choice: ProviderChoice): string {
  return choice.fallbackReason
    ? `execution provider: ${choice.requested} unavailable (${choice.fallbackReason}); falling back to cpu`
    : `execution provider: ${choice.used}`;
}
