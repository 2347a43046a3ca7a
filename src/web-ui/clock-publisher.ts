import type { WebUiHub } from './hub-port.js';

/**
 * The server-side publisher of the live demo: a `connecttime` event every second, published in-process through `hub.publish`, so it goes through the hub's history and
 * fan-out exactly like an HTTP publish. `tick` counts up so a reader can see that none was missed.
 */
export class ClockPublisher {
  #timer: NodeJS.Timeout | undefined;
  #tick = 0;
  #stopAt = 0;

  constructor(
    private readonly hub: WebUiHub,
    private readonly topic: string,
    private readonly intervalMs = 1000,
    /** Stops by itself after this long, so a forgotten demo does not publish forever. */
    private readonly maxRunMs = 60 * 60_000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** True while publishing. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Starts publishing (no-op when already running); the run limit restarts. */
  start(): void {
    this.#stopAt = Date.now() + this.maxRunMs;
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#publish(), this.intervalMs);
    this.#timer.unref();
    this.#publish();
  }

  /** Stops publishing; `start()` resumes the tick count where it was. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #publish(): void {
    if (Date.now() > this.#stopAt) {
      this.stop();
      return;
    }
    this.#tick++;
    const data = JSON.stringify({ tick: this.#tick, time: new Date().toISOString() });
    this.hub.publish({ topics: [this.topic], type: 'connecttime', data }).catch(this.onError);
  }
}
