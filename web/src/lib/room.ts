import { streamEvents } from '../../../src/client/index.js';
import { type DemoConfig, postJson, retryWithFreshToken } from './api.js';
import { byId, clockTime, el, trimChildren } from './dom.js';

/** How often an open page tells the hub its member is still here, in ms (the hub expires after ~45 s). */
const PRESENCE_PING_MS = 15_000;

interface RoomData {
  name: string;
  text?: string;
  members?: string[];
}

/**
 * The live demo's chat room: its own subscription to the room topic, rendering the
 * `userconnect`, `usermessage` and `userdisconnect` named events, and the forms that publish them.
 */
export function startRoom(config: DemoConfig): void {
  const roomLog = byId<HTMLOListElement>('room-log');
  const members = byId('members');
  const joinForm = byId<HTMLFormElement>('join-form');
  const sayForm = byId<HTMLFormElement>('say-form');
  const nameField = byId<HTMLInputElement>('room-name');
  const textField = byId<HTMLInputElement>('room-text');
  let name = '';

  const showMembers = (list: string[] | undefined) => {
    if (list) members.textContent = list.length === 0 ? 'nobody' : list.join(', ');
  };
  showMembers(config.room.members);

  const line = (kind: string, text: string) => {
    const item = el('li', `room-line ${kind}`);
    item.append(el('span', 'time', clockTime()), el('span', 'text', text));
    roomLog.prepend(item);
    trimChildren(roomLog, 200);
  };

  const url = new URL(config.hub, location.href);
  url.searchParams.append('topic', config.topics.room);
  void (async () => {
    try {
      for await (const event of streamEvents(url, {
        reconnectionTime: 1500,
        shouldRetry: retryWithFreshToken(config),
      })) {
        let data: RoomData;
        try {
          data = JSON.parse(event.data) as RoomData;
        } catch {
          continue;
        }
        if (event.type === 'userconnect') line('join', `${data.name} joined`);
        else if (event.type === 'userdisconnect') line('leave', `${data.name} left`);
        else if (event.type === 'usermessage') line('message', `${data.name}: ${data.text ?? ''}`);
        showMembers(data.members);
      }
    } catch (error) {
      line('leave', `Room unavailable: ${(error as Error).message}`);
    }
  })();

  const send = (body: Record<string, string>) =>
    postJson<{ id: string }>('/room', body).catch((error: Error) => line('leave', error.message));

  // The hub forgets a name not seen for ~45 s (a killed tab or a dropped network sends no beacon), so an
  // open page says it is still here every 15 s; if its name had expired (a sleeping laptop), it joins again.
  setInterval(async () => {
    if (!name) return;
    const who = name;
    try {
      const { present } = await postJson<{ present: boolean }>('/room', { type: 'presence', name: who });
      if (!present && name === who) await send({ type: 'userconnect', name: who });
    } catch {
      // Offline for now: the next ping tries again.
    }
  }, PRESENCE_PING_MS);

  joinForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    name = nameField.value.trim();
    if (!name) return;
    await send({ type: 'userconnect', name });
    joinForm.hidden = true;
    sayForm.hidden = false;
    textField.focus();
  });
  sayForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = textField.value.trim();
    if (!text) return;
    textField.value = '';
    await send({ type: 'usermessage', name, text });
  });
  const leave = async () => {
    if (!name) return;
    const who = name;
    name = '';
    await send({ type: 'userdisconnect', name: who });
    sayForm.hidden = true;
    joinForm.hidden = false;
    nameField.focus();
  };
  byId('leave').addEventListener('click', () => void leave());
  // Closing the tab leaves the room too; keepalive lets the request outlive the page.
  addEventListener('pagehide', () => {
    if (!name) return;
    void fetch('/demo/room', {
      method: 'POST',
      keepalive: true,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'userdisconnect', name }),
    });
  });
}
