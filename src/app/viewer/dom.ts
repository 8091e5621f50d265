// The page's elements (index.html), looked up once and typed.

function byId<T extends HTMLElement>(id: string, type: { new (): T; readonly prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`viewer page: #${id} is missing or not a ${type.name}`);
  return element;
}

export interface Ui {
  readonly canvas: HTMLCanvasElement;
  readonly status: HTMLOutputElement;
  readonly cursor: HTMLOutputElement;
  readonly opacity: HTMLInputElement;
  readonly renderMode: HTMLSelectElement;
  readonly showRoi: HTMLInputElement;
  readonly mode: HTMLSelectElement;
  readonly tracked: HTMLUListElement;
  readonly classPicker: HTMLSelectElement;
  readonly tools: readonly HTMLInputElement[];
  readonly undo: HTMLButtonElement;
  readonly clear: HTMLButtonElement;
  readonly clearAll: HTMLButtonElement;
  readonly hint: HTMLParagraphElement;
  readonly freeze: HTMLInputElement;
  readonly message: HTMLOutputElement;
  readonly record: HTMLButtonElement;
  readonly recordings: HTMLUListElement;
  readonly messages: HTMLUListElement;
  readonly modelInfo: HTMLOutputElement;
  readonly snapshot: HTMLButtonElement;
  readonly stepBack: HTMLButtonElement;
  readonly stepForward: HTMLButtonElement;
  readonly historyPosition: HTMLOutputElement;
  readonly player: HTMLElement;
  readonly playerTitle: HTMLSpanElement;
  readonly playerOverlay: HTMLInputElement;
  readonly playerClose: HTMLButtonElement;
  readonly playerVideo: HTMLVideoElement;
  readonly biometry: HTMLOutputElement;
  readonly calibrationMm: HTMLInputElement;
  readonly calibrate: HTMLButtonElement;
  readonly calibrationClear: HTMLButtonElement;
  readonly calibrationInfo: HTMLParagraphElement;
  /** Test hooks on <body> (data-*; docs/protocol.md, "Viewer prompt tools"). */
  readonly body: DOMStringMap;
}

export function findUi(): Ui {
  return {
    canvas: byId('view', HTMLCanvasElement),
    status: byId('status', HTMLOutputElement),
    cursor: byId('cursor', HTMLOutputElement),
    opacity: byId('opacity', HTMLInputElement),
    renderMode: byId('render-mode', HTMLSelectElement),
    showRoi: byId('show-roi', HTMLInputElement),
    mode: byId('mode', HTMLSelectElement),
    tracked: byId('tracked', HTMLUListElement),
    classPicker: byId('class', HTMLSelectElement),
    tools: [...document.querySelectorAll<HTMLInputElement>('input[name="tool"]')],
    undo: byId('undo', HTMLButtonElement),
    clear: byId('clear', HTMLButtonElement),
    clearAll: byId('clear-all', HTMLButtonElement),
    hint: byId('tool-hint', HTMLParagraphElement),
    freeze: byId('freeze', HTMLInputElement),
    message: byId('message', HTMLOutputElement),
    record: byId('record', HTMLButtonElement),
    recordings: byId('recordings', HTMLUListElement),
    messages: byId('messages', HTMLUListElement),
    modelInfo: byId('model-info', HTMLOutputElement),
    snapshot: byId('snapshot', HTMLButtonElement),
    stepBack: byId('step-back', HTMLButtonElement),
    stepForward: byId('step-forward', HTMLButtonElement),
    historyPosition: byId('history-position', HTMLOutputElement),
    player: byId('player', HTMLElement),
    playerTitle: byId('player-title', HTMLSpanElement),
    playerOverlay: byId('player-overlay', HTMLInputElement),
    playerClose: byId('player-close', HTMLButtonElement),
    playerVideo: byId('player-video', HTMLVideoElement),
    biometry: byId('biometry', HTMLOutputElement),
    calibrationMm: byId('calibration-mm', HTMLInputElement),
    calibrate: byId('calibrate', HTMLButtonElement),
    calibrationClear: byId('calibration-clear', HTMLButtonElement),
    calibrationInfo: byId('calibration-info', HTMLParagraphElement),
    body: document.body.dataset,
  };
}

/** A 2D context, or an error naming the canvas (a browser without canvas 2D cannot show the viewer). */
export function context2d(canvas: HTMLCanvasElement, settings?: CanvasRenderingContext2DSettings): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', settings);
  if (!ctx) throw new Error('this browser gives no 2D canvas context');
  return ctx;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
