/** The execution providers a model can be asked to run on. Kept apart from execution-provider.ts, which
 * loads onnxruntime-node, so that option parsing and manifest reading never load it. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];
