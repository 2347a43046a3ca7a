import { DemoHttpError } from './http-error.js';
import type { WebUiHub } from './hub-port.js';

/** The chat room's event types. */
export type RoomEventType = 'userconnect' | 'usermessage' | 'userdisconnect';

/** Settings of a {@link ChatRoom}. */
export interface ChatRoomOptions {
  /** Most names in the room at once; one more gets 503. Default 200. */
  maxMembers?: number;
  /**
   * How long a name stays without any post or presence ping before it is taken out of the room and a
   * `userdisconnect` is published for it, in ms. Covers tabs killed or cut off before their `pagehide`
   * beacon. Default 45,000 (three missed 15 s pings).
   */
  presenceTimeoutMs?: number;
  /** The clock, in ms since the epoch; injectable for tests. Default `Date.now`. */
  now?: () => number;
}

interface Member {
  /** Open pages using this name. */
  pages: number;
  /** Last post or presence ping, in ms since the epoch. */
  seenAt: number;
}

/**
 * The live demo's chat room: who is in it, and the `userconnect` / `usermessage` / `userdisconnect`
 * events published to the room topic. Bounded: at most `maxMembers` names at once. Names not seen for
 * `presenceTimeoutMs` expire (see {@link ChatRoom.expire}); a sweep runs every third of that time.
 */
export class ChatRoom {
  readonly #members = new Map<string, Member>();
  readonly #maxMembers: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #sweep: NodeJS.Timeout;

  constructor(
    private readonly hub: WebUiHub,
    private readonly topic: string,
    options: ChatRoomOptions = {},
  ) {
    this.#maxMembers = options.maxMembers ?? 200;
    this.#timeoutMs = options.presenceTimeoutMs ?? 45_000;
    this.#now = options.now ?? Date.now;
    this.#sweep = setInterval(() => void this.expire().catch(() => {}), this.#timeoutMs / 3);
    this.#sweep.unref();
  }

  /** Names in the room, in order of arrival. */
  get members(): string[] {
    return [...this.#members.keys()];
  }

  /**
   * Records that a page using `name` is still open, without publishing anything.
   * Returns false when the name is not in the room (it expired): the page should join again.
   */
  seen(name: string): boolean {
    const member = this.#members.get(name);
    if (member) member.seenAt = this.#now();
    return member !== undefined;
  }

  /** Takes out the names not seen for `presenceTimeoutMs`, publishing `userdisconnect` for each; returns them. */
  async expire(): Promise<string[]> {
    const oldest = this.#now() - this.#timeoutMs;
    const gone = [...this.#members].filter(([, member]) => member.seenAt < oldest).map(([name]) => name);
    for (const name of gone) this.#members.delete(name);
    for (const name of gone) await this.#publish('userdisconnect', name);
    return gone;
  }

  /** Publishes one room event; returns the update id. */
  async post(type: RoomEventType, name: string, text?: string): Promise<string> {
    const member = this.#members.get(name);
    if (type === 'userconnect') {
      if (!member && this.#members.size >= this.#maxMembers) {
        throw new DemoHttpError(
          'SSEHUB_DEMO_BUSY',
          `The room is full (${this.#maxMembers} people); try again later`,
          30,
        );
      }
      this.#members.set(name, { pages: (member?.pages ?? 0) + 1, seenAt: this.#now() });
    } else if (type === 'userdisconnect') {
      if (member && member.pages > 1) member.pages -= 1;
      else this.#members.delete(name);
    } else if (member) {
      member.seenAt = this.#now();
    }
    return this.#publish(type, name, text);
  }

  /** Stops the expiry sweep. */
  close(): void {
    clearInterval(this.#sweep);
  }

  async #publish(type: RoomEventType, name: string, text?: string): Promise<string> {
    const data: Record<string, unknown> = { name, time: new Date(this.#now()).toISOString() };
    if (text !== undefined) data.text = text;
    if (type !== 'usermessage') data.members = this.members.slice(0, 50);
    const update = await this.hub.publish({ topics: [this.topic], type, data: JSON.stringify(data) });
    return update.id;
  }
}
