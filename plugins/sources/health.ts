/** Holds a source's health and publishes changes (never per frame, so subscribers stay cheap). */
import { BehaviorSubject, type Observable } from 'rxjs';
import type { SourceHealth, SourceState } from '../../src/core/contracts/source.js';

export class HealthReporter {
  private readonly subject = new BehaviorSubject<SourceHealth>({ state: 'connecting', reconnects: 0, since: Date.now() });
  readonly changes: Observable<SourceHealth> = this.subject.asObservable();

  get current(): SourceHealth {
    return this.subject.value;
  }

  /** Enter `state`; an `error` replaces lastError, otherwise the previous one is kept. Repeating the
   * current state and error changes nothing (a feed retried every half second is not news each time). */
  set(state: SourceState, error?: string): void {
    const now = this.subject.value;
    if (now.state === state && (error === undefined || error === now.lastError)) return;
    const lastError = error ?? now.lastError;
    this.subject.next({
      state,
      reconnects: now.reconnects,
      since: now.state === state ? now.since : Date.now(),
      ...(lastError === undefined ? {} : { lastError }),
    });
  }

  /** Count a retry; the state is set separately. */
  countReconnect(): void {
    this.subject.next({ ...this.subject.value, reconnects: this.subject.value.reconnects + 1 });
  }
}
