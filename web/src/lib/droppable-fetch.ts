/**
 * A `fetch` for the client whose connections the demo can cut, to show a real network loss: `drop()`
 * aborts every open request (the client sees a network error, exactly as when Wi-Fi drops) and holds
 * new requests back for `offlineMs`, so events published meanwhile are missed and must come back by
 * replay. The client's own reconnection, with `Last-Event-ID`, does the rest.
 */
export class DroppableFetch {
  readonly #open = new Set<AbortController>();
  #offlineUntil = 0;

  /** The function to pass as the client's `fetch` option. */
  readonly fetch: typeof fetch = async (input, init) => {
    const wait = this.#offlineUntil - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const controller = new AbortController();
    const outer = init?.signal;
    if (outer) {
      if (outer.aborted) controller.abort(outer.reason);
      outer.addEventListener(
        'abort',
        () => {
          controller.abort(outer.reason);
          this.#open.delete(controller);
        },
        { once: true },
      );
    }
    this.#open.add(controller);
    return fetch(input, { ...init, signal: controller.signal });
  };

  /** Cuts every open connection and keeps the network "down" for `offlineMs`. */
  drop(offlineMs: number): void {
    this.#offlineUntil = Date.now() + offlineMs;
    for (const controller of this.#open)
      controller.abort(new DOMException('Connection dropped', 'AbortError'));
    this.#open.clear();
  }
}
