import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { choiceOption, intOption } from './command.js';

/** Loads the model named by the shared --model/--ep/--precision/--threads options; logs the provider on stderr.
 * onnxruntime-node is imported here, when a command first needs the model, so that loading a command
 * (for `--help`, or `sam2rad roi`) never loads it. */
export async function loadModel(values: Record<string, unknown>): Promise<Sam2RadModel> {
  const [{ Sam2RadModel }, { EXECUTION_PROVIDERS }, { PRECISIONS }] = await Promise.all([
    import('../../../plugins/model/sam2rad-model.js'),
    import('../../core/runtime/execution-provider.js'),
    import('../../core/runtime/manifest.js'),
  ]);
  return Sam2RadModel.load(
    values.model as string,
    {
      ep: choiceOption(values, 'ep', EXECUTION_PROVIDERS),
      // Not given: the model's own default for the provider.
      precision: values.precision === undefined ? undefined : choiceOption(values, 'precision', PRECISIONS),
      intraOpThreads: intOption(values, 'threads', 1),
    },
    (line) => console.error(line),
  );
}
