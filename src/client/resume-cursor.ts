/**
 * Where a client keeps the last event id of a stream it may resume: after a page reload the next
 * connection starts from it instead of from the beginning (the `cursor` option).
 */
export interface ResumeCursor {
  /** The saved last event id, or `''` when there is none. */
  load(): string;
  /** Saves the last event id of each dispatched event. */
  save(lastEventId: string): void;
  /** Forgets it: called when the server answers 204 (nothing more to read). */
  clear(): void;
}

/** The slice of the Web Storage API a cursor needs (`sessionStorage`, `localStorage`). */
export interface CursorStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * A {@link ResumeCursor} in `sessionStorage` under `key`: it survives a reload of the tab, not the tab
 * itself, so two tabs never share a cursor. Falls back to memory where there is no `sessionStorage` (Node,
 * workers) or it refuses writes (storage full, disabled): resuming within the page still works.
 */
export function sessionCursor(key: string, storage?: CursorStorage): ResumeCursor {
  const store = storage ?? (globalThis as { sessionStorage?: CursorStorage }).sessionStorage;
  let memory = '';
  return {
    load() {
      try {
        return store?.getItem(key) ?? memory;
      } catch {
        return memory;
      }
    },
    save(lastEventId) {
      memory = lastEventId;
      try {
        store?.setItem(key, lastEventId);
      } catch {}
    },
    clear() {
      memory = '';
      try {
        store?.removeItem(key);
      } catch {}
    },
  };
}
