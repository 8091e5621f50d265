// The model in the header (#model-info): name, version, execution provider and graph precision, from
// GET /healthz (`model`), once when the page loads and again after each reconnection.
import { errorText, type Ui } from './dom.js';
import { get } from './http.js';

interface HealthModel {
  readonly name: string;
  readonly version: string;
  readonly ep: string;
  readonly precision: string;
}

/** `sam2rad-us-small 2.7.0 · cpu · int8` */
export function modelText(model: HealthModel | null): string {
  return model ? `${model.name} ${model.version} · ${model.ep} · ${model.precision}` : 'model unavailable';
}

export async function showModelInfo(ui: Pick<Ui, 'modelInfo' | 'body'>): Promise<void> {
  try {
    const response = await get('/healthz');
    if (!response.ok) throw new Error(`GET /healthz: ${response.status}`);
    const health = (await response.json()) as { model?: HealthModel | null };
    const text = modelText(health.model ?? null);
    ui.modelInfo.textContent = text;
    ui.modelInfo.className = health.model ? '' : 'error';
    ui.body.model = text;
  } catch (err) {
    ui.modelInfo.textContent = `model: ${errorText(err)}`;
    ui.modelInfo.className = 'error';
  }
}
