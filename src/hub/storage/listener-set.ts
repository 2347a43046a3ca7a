import type { Update } from './update.js';

/**
 * The live listeners of a transport, in registration order. Shared by every engine so that they all keep
 * the {@link Transport} rules the same way: one failing listener never stops delivery to the others, and
 * the same function registered twice is two registrations, each removed on its own.
 */
export class ListenerSet {
  readonly #listeners = new Set<(update: Update) => void>();

  /** Registers `listener`; returns the function that removes this registration. */
  add(listener: (update: Update) => void): () => void {
    const entry = (update: Update): void => listener(update);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  /** Delivers `update` to every listener. */
  emit(update: Update): void {
    for (const listener of this.#listeners) {
      try {
        listener(update);
      } catch {
        // The hub logs inside its own listener; a throw here must not starve the listeners after it.
      }
    }
  }

  /** Removes every listener (on close). */
  clear(): void {
    this.#listeners.clear();
  }
}
