import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHub } from '../../src/hub/index.js';
import { ChatRoom } from '../../src/web-ui/chat-room.js';

const TOPIC = 'https://ssehub.example/demo/room';

/** A real hub whose published room events are recorded, and a room on an injected clock. */
function roomAt(start: number) {
  const hub = createHub({ allowAnonymous: true });
  const published: { type: string; data: { name: string; members?: string[] } }[] = [];
  const publish = hub.publish.bind(hub);
  vi.spyOn(hub, 'publish').mockImplementation(async (update) => {
    published.push({ type: update.type ?? 'message', data: JSON.parse(update.data ?? '{}') });
    return publish(update);
  });
  const clock = { now: start };
  const room = new ChatRoom(hub, TOPIC, { presenceTimeoutMs: 45_000, now: () => clock.now });
  return { room, published, clock };
}

describe('chat room presence', () => {
  let close: (() => void) | undefined;
  afterEach(() => close?.());

  it('expires a name not seen for 45 s and publishes its userdisconnect, keeping pinged names', async () => {
    const { room, published, clock } = roomAt(1_000_000);
    close = () => room.close();
    await room.post('userconnect', 'Ada');
    await room.post('userconnect', 'Grace');
    clock.now += 30_000;
    expect(room.seen('Grace')).toBe(true);
    clock.now += 15_001; // Ada: 45.001 s without a ping; Grace: 15.001 s
    expect(await room.expire()).toEqual(['Ada']);
    expect(room.members).toEqual(['Grace']);
    expect(published.at(-1)).toEqual({
      type: 'userdisconnect',
      data: expect.objectContaining({ name: 'Ada', members: ['Grace'] }),
    });
    expect(room.seen('Ada')).toBe(false);
  });

  it('keeps a name at exactly the timeout, and a message counts as being seen', async () => {
    const { room, published, clock } = roomAt(0);
    close = () => room.close();
    await room.post('userconnect', 'Ada');
    clock.now += 40_000;
    await room.post('usermessage', 'Ada', 'still here');
    clock.now += 45_000;
    const before = published.length;
    expect(await room.expire()).toEqual([]);
    expect(published.length).toBe(before);
    expect(room.members).toEqual(['Ada']);
  });

  it('a presence ping never adds a name nor publishes', async () => {
    const { room, published } = roomAt(0);
    close = () => room.close();
    expect(room.seen('Nobody')).toBe(false);
    expect(room.members).toEqual([]);
    expect(published).toEqual([]);
  });
});
