import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChatAnswers } from './chat-answers.js';
import type { ChatRoom, RoomEventType } from './chat-room.js';
import type { ClockPublisher } from './clock-publisher.js';
import { DemoHttpError, sendError, sendJson } from './http-error.js';
import type { DemoTopics, WebUiHub } from './hub-port.js';
import { RateLimiter } from './rate-limiter.js';
import {
  assertLoopbackHost,
  assertSameOrigin,
  BODY_TIMEOUT_MS,
  readJsonObject,
  stringField,
} from './request-guards.js';

/** Bounds on what a visitor may send to the demo endpoints. */
export interface DemoLimits {
  /** Longest prompt, in characters. Default 500. */
  promptLength: number;
  /** Longest live-demo or chat-room message, in characters. Default 2000. */
  messageLength: number;
  /** Longest chat-room name, in characters. Default 32. */
  nameLength: number;
  /** Prompts per client address per minute. Default 20. */
  promptsPerMinute: number;
  /** Messages, room posts and publisher switches per client address per 10 s. Default 30. */
  writesPer10s: number;
  /** Longest time a request body may take to arrive, in ms; slower gets 408 (slow-loris). Default 10,000. */
  bodyTimeoutMs: number;
}

const DEFAULT_LIMITS: DemoLimits = {
  promptLength: 500,
  messageLength: 2000,
  nameLength: 32,
  promptsPerMinute: 20,
  writesPer10s: 30,
  bodyTimeoutMs: BODY_TIMEOUT_MS,
};

const ROOM_TYPES: readonly RoomEventType[] = ['userconnect', 'usermessage', 'userdisconnect'];
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9_.:-]{0,39}$/;
const BODY_LIMIT = 16 * 1024;

/** What the demo routes work with. */
export interface DemoContext {
  readonly hub: WebUiHub;
  readonly topics: DemoTopics;
  readonly hubPath: string;
  readonly devToken: string | (() => string | Promise<string>) | undefined;
  readonly clock: ClockPublisher;
  readonly room: ChatRoom;
  readonly answers: ChatAnswers;
  readonly limits: Partial<DemoLimits> | undefined;
}

/**
 * The demo endpoints (paths relative to the prefix):
 * `GET /config`, `GET /token` (dev only), `POST /clock`, `POST /messages`, `POST /room` (an event, or
 * `{type: 'presence', name}` every ~15 s to stay listed),
 * `POST /chat` (stream a new answer, or re-attach with `Last-Event-ID`), `GET /chat/<id>` (re-attach).
 * Every write checks same-origin and is size- and rate-limited.
 */
export class DemoRoutes {
  readonly #limits: DemoLimits;
  readonly #prompts: RateLimiter;
  readonly #writes: RateLimiter;

  constructor(private readonly ctx: DemoContext) {
    this.#limits = { ...DEFAULT_LIMITS, ...ctx.limits };
    this.#prompts = new RateLimiter(this.#limits.promptsPerMinute, 60_000, 'prompts');
    this.#writes = new RateLimiter(this.#limits.writesPer10s, 10_000, 'messages');
  }

  /** Answers one request under the prefix; errors become JSON with their status. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await this.#route(req, res, path);
    } catch (error) {
      sendError(res, error);
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    const client = req.socket.remoteAddress ?? 'unknown';
    const only = (allowed: string) => {
      if (method !== allowed)
        throw new DemoHttpError(
          'SSEHUB_DEMO_METHOD_NOT_ALLOWED',
          `Use ${allowed} for ${path}`,
          undefined,
          false,
          allowed,
        );
    };
    if (path === '/config') {
      only('GET');
      sendJson(res, {
        hub: this.ctx.hubPath,
        topics: this.ctx.topics,
        devToken: this.ctx.devToken !== undefined,
        clock: { running: this.ctx.clock.running },
        room: { members: this.ctx.room.members },
        limits: this.#limits,
      });
      return;
    }
    if (path === '/token') {
      only('GET');
      await this.#token(req, res);
      return;
    }
    if (path === '/chat') {
      only('POST');
      await this.#chat(req, res, client);
      return;
    }
    if (path.startsWith('/chat/')) {
      only('GET');
      let answerId: string;
      try {
        answerId = decodeURIComponent(path.slice('/chat/'.length));
      } catch {
        throw new DemoHttpError(
          'SSEHUB_DEMO_INVALID_INPUT',
          'The answer id in the path is not valid percent-encoding',
        );
      }
      await this.ctx.answers.streams.attach(req, res, answerId);
      return;
    }
    if (path === '/clock' || path === '/messages' || path === '/room') {
      only('POST');
      assertSameOrigin(req);
      this.#writes.hit(client);
      const body = await readJsonObject(req, BODY_LIMIT, this.#limits.bodyTimeoutMs);
      if (path === '/clock') {
        if (typeof body.running !== 'boolean')
          throw new DemoHttpError('SSEHUB_DEMO_INVALID_INPUT', '"running" must be true or false');
        if (body.running) this.ctx.clock.start();
        else this.ctx.clock.stop();
        sendJson(res, { running: this.ctx.clock.running });
      } else if (path === '/messages') {
        await this.#message(res, body);
      } else {
        await this.#room(res, body);
      }
      return;
    }
    throw new DemoHttpError('SSEHUB_DEMO_NOT_FOUND', `No demo endpoint at ${path}`);
  }

  async #token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const source = this.ctx.devToken;
    if (source === undefined) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_NOT_FOUND',
        'No development token: the hub is not running in dev mode',
      );
    }
    assertSameOrigin(req);
    assertLoopbackHost(req);
    const token = typeof source === 'string' ? source : await source();
    res.setHeader(
      'Set-Cookie',
      `mercureAuthorization=${token}; Path=${this.ctx.hubPath}; HttpOnly; SameSite=Strict`,
    );
    sendJson(res, { token });
  }

  async #message(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const data = body.data;
    if (typeof data !== 'string' || data.length > this.#limits.messageLength) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_INVALID_INPUT',
        `"data" must be a string of at most ${this.#limits.messageLength} characters`,
      );
    }
    let type: string | undefined;
    if (body.type !== undefined && body.type !== '') {
      if (typeof body.type !== 'string' || !EVENT_TYPE.test(body.type)) {
        throw new DemoHttpError(
          'SSEHUB_DEMO_INVALID_INPUT',
          '"type" must be a letter then up to 39 letters, digits or _ . : -',
        );
      }
      type = body.type;
    }
    let retry: number | undefined;
    if (body.retry !== undefined && body.retry !== null && body.retry !== '') {
      if (
        !Number.isSafeInteger(body.retry) ||
        (body.retry as number) < 0 ||
        (body.retry as number) > 600_000
      ) {
        throw new DemoHttpError(
          'SSEHUB_DEMO_INVALID_INPUT',
          '"retry" must be an integer number of milliseconds from 0 to 600000',
        );
      }
      retry = body.retry as number;
    }
    const update = await this.ctx.hub.publish({
      topics: [this.ctx.topics.messages],
      data,
      ...(type === undefined ? {} : { type }),
      ...(retry === undefined ? {} : { retry }),
    });
    sendJson(res, { id: update.id });
  }

  async #room(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    if (body.type === 'presence') {
      // A page's periodic "still here": publishes nothing; false tells it to join again.
      sendJson(res, { present: this.ctx.room.seen(stringField(body, 'name', this.#limits.nameLength)) });
      return;
    }
    const type = body.type as RoomEventType;
    if (!ROOM_TYPES.includes(type)) {
      throw new DemoHttpError(
        'SSEHUB_DEMO_INVALID_INPUT',
        `"type" must be one of ${ROOM_TYPES.join(', ')}, presence`,
      );
    }
    const name = stringField(body, 'name', this.#limits.nameLength);
    const text = type === 'usermessage' ? stringField(body, 'text', this.#limits.messageLength) : undefined;
    sendJson(res, { id: await this.ctx.room.post(type, name, text) });
  }

  async #chat(req: IncomingMessage, res: ServerResponse, client: string): Promise<void> {
    assertSameOrigin(req);
    // A client that re-sends the POST with Last-Event-ID (one without resumeUrl) re-attaches instead.
    const resume = header(req, 'last-event-id');
    if (resume !== undefined && resume !== '') {
      req.resume();
      await this.ctx.answers.streams.attach(req, res);
      return;
    }
    this.#prompts.hit(client);
    const body = await readJsonObject(req, BODY_LIMIT, this.#limits.bodyTimeoutMs);
    const prompt = stringField(body, 'prompt', this.#limits.promptLength);
    await this.ctx.answers.start(req, res, prompt);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
