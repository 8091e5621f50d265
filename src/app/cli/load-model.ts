import { Sam2RadModel } from '../../../plugins/model/sam2rad-model.js';
import { EXECUTION_PROVIDERS } from '../../core/runtime/execution-provider.js';
import { PRECISIONS } from '../../core/runtime/manifest.js';
import { choiceOption, intOption } from './command.js';

/** Loads the model named by the shared --model/--ep/--precision/--threads options; logs the provider on stderr. */
export function loadModel(values: Record<string, unknown>): Promise<Sam2RadModel> {
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
