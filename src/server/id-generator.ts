/**
 * Event ids that stay unique across process restarts: `<epoch>-<n>`, where `epoch` is drawn at random
 * when the generator is made and `n` counts from 1. A counter alone restarts at 1 with the process, so a
 * client's Last-Event-ID from before the restart would name a different event and replay would skip
 * events silently; with the epoch, such an id is one the new process never issued (unknown, so the client
 * is told to reset). Needs no crypto and no `node:` import, so it runs wherever `ssehub` does.
 */
export class IdGenerator {
  /**
   * Milliseconds since 1970 in base 36, then 4 random base-36 digits: a restarted process starts later,
   * and two channels made in the same millisecond still differ (about 1 in 1.7 million to collide).
   */
  readonly epoch: string;
  #n = 0;

  constructor(now: number = Date.now()) {
    const random = Math.floor(Math.random() * 36 ** 4);
    this.epoch = `${now.toString(36)}${random.toString(36).padStart(4, '0')}`;
  }

  /** The next id: `<epoch>-1`, `<epoch>-2`, … */
  next(): string {
    this.#n++;
    return `${this.epoch}-${this.#n}`;
  }
}
