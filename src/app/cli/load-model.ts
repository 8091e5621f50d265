import type { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { PRECISIONS } from '../../core/runtime/manifest.js';
import { EXECUTION_PROVIDERS } from '../../core/runtime/providers.js';
import { choiceOption, intOption } from './command.js';

/** Loads the model named by the shared --model/--ep/--precision/--threads options; logs the provider on stderr.
 * The options are checked at once (a usage error throws before anything loads); onnxruntime-node is
 * imported only then, when a command first needs the model, so that loading a command (for `--help`, or
 * `sam2rad roi`) never loads it. */
export function loadModel(values: Record<string, unknown>): Promise<Sam2RadModel> {
  const options = {
    ep: choiceOption(values, 'ep', EXECUTION_PROVIDERS),
    // Not given: the model's own default for the provider.
    precision: values.precision === undefined ? undefined : choiceOption(values, 'precision', PRECISIONS),
    intraOpThreads: intOption(values, 'threads', 1),
  };
  return import('../../../plugins/model/sam2rad-model.js').then(({ Sam2RadModel }) =>
    Sam2RadModel.load(values.model as string, options, (line) => console.error(line)),
  );
}
