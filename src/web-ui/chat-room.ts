import { DemoHttpError } from './http-error.js';
import type { WebUiHub } from './hub-port.js';

/** The chat room's event types. */
export type RoomEventType = 'userconnect' | 'usermessage' | 'userdisconnect';

/**
 * The live demo's chat room: who is in it, and the `userconnect` / `usermessage` / `userdisconnect`
 * events published to the room topic. Bounded: at most `maxMembers` names at once.
 */
export class ChatRoom {
  readonly #members = new Map<string, number>();

  constructor(
    private readonly hub: WebUiHub,
    private readonly topic: string,
    private readonly maxMembers = 200,
  ) {}

  /** Names in the room, in order of arrival. */
  get members(): string[] {
    return [...this.#members.keys()];
  }

  /** Publishes one room event; returns the update id. */
  async post(type: RoomEventType, name: string, text?: string): Promise<string> {
    if (type === 'userconnect') {
      if (!this.#members.has(name) && this.#members.size >= this.maxMembers) {
        throw new DemoHttpError(
          'SSEHUB_DEMO_BUSY',
          `The room is full (${this.maxMembers} people); try again later`,
          30,
        );
      }
      this.#members.set(name, (this.#members.get(name) ?? 0) + 1);
    } else if (type === 'userdisconnect') {
      const count = this.#members.get(name) ?? 0;
      if (count <= 1) this.#members.delete(name);
      else this.#members.set(name, count - 1);
    }
    const data: Record<string, unknown> = { name, time: new Date().toISOString() };
    if (text !== undefined) data.text = text;
    if (type !== 'usermessage') data.members = this.members.slice(0, 50);
    const update = await this.hub.publish({ topics: [this.topic], type, data: JSON.stringify(data) });
    return update.id;
  }
}
