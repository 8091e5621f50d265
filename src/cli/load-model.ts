import { Sam2RadModel } from '../../plugins/model/sam2rad-model.js';
import { parseExecutionProvider } from '../runtime/execution-provider.js';
import { parsePrecision } from '../runtime/manifest.js';
import { intOption } from './command.js';

/** Loads the model named by the shared --model/--ep/--precision/--threads options; logs the provider on stderr. */
export function loadModel(values: Record<string, unknown>): Promise<Sam2RadModel> {
  return Sam2RadModel.load(
    values.model as string,
    {
      ep: parseExecutionProvider(values.ep as string),
      precision: parsePrecision(values.precision as string),
      intraOpThreads: intOption(values, 'threads', 1),
    },
    (line) => console.error(line),
  );
}
