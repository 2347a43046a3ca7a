/**
 * The fan-out benchmark's HTTP publisher: POSTs updates over K keep-alive raw `node:net` connections, each
 * waiting for its answer before the next request.
 *
 *   node --import tsx bench/fanout/publisher.ts -p PORT [-t TOKEN] [-k CONNS] [-r RATE] [-d SECS]
 *     [-f form|raw] [-u PATH] [-n TOPICS] [-z PADBYTES]
 *
 * `-f form` (the hub): a Mercure form body `topic=…&data=…` with the publisher JWT `-t` to `-u` (default
 * `/.well-known/mercure`). `-f raw` (nchan and the library servers): the data itself as a `text/plain` body,
 * the topic in the path, where `%T%` in `-u` becomes the topic. With `-n N` the publishes go round robin to
 * topics `t0`…`t<N-1>` (default 1: `t0` only). `-z` appends that many `x` bytes to each event's data.
 * With `-w` it prints `READY` once connected and starts at the first line on stdin. Any 2xx answer counts as accepted (the hub answers 200, nchan 201 or 202).
 *
 * `-r 0` publishes as fast as the hub answers (closed loop on every connection: the accepted rate is the
 * hub's); `-r R` publishes R updates/s in total, sent on a 1 ms tick on whichever connection is idle (a rate
 * the hub cannot keep up with shows as `achieved` below the target). Each update's data is
 * `ts=<process.hrtime.bigint() ns>` (CLOCK_MONOTONIC on Linux) for the loader's latency figure. Prints one
 * JSON line: sent, ok, errors, publishes/s and this process's CPU share.
 */
import net from 'node:net';

const args = process.argv.slice(2);
const arg = (flag: string, fallback: string): string => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
};
const host = '127.0.0.1';
const port = Number(arg('-p', '0'));
const token = arg('-t', '');
const conns = Number(arg('-k', '1'));
const rate = Number(arg('-r', '0'));
const secs = Number(arg('-d', '3'));
const format = arg('-f', 'form');
const path = arg('-u', format === 'form' ? '/.well-known/mercure' : '/pub?topic=%T%');
const topics = Array.from({ length: Math.max(1, Number(arg('-n', '1'))) }, (_, i) => `t${i}`);
const padding = 'x'.repeat(Number(arg('-z', '0')));
if (!port || (format !== 'form' && format !== 'raw')) {
  process.stderr.write(
    'usage: publisher.ts -p PORT [-t TOKEN] [-k CONNS] [-r RATE] [-d SECS] [-f form|raw] [-u PATH] [-n TOPICS] [-z PAD]\n',
  );
  process.exit(2);
}
const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
let nextTopic = 0;

/** One request: the stamp is taken as late as possible, right before the write. */
function request(): string {
  const topic = topics[nextTopic++ % topics.length]!;
  const stamp = `ts=${process.hrtime.bigint()}${padding ? ` ${padding}` : ''}`;
  const target = path.replace('%T%', topic);
  const [type, body] =
    format === 'form'
      ? ['application/x-www-form-urlencoded', `topic=${topic}&data=${encodeURIComponent(stamp)}`]
      : ['text/plain', stamp];
  return (
    `POST ${target} HTTP/1.1\r\nHost: ${host}:${port}\r\n${auth}` +
    `Content-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

let sent = 0;
let ok = 0;
let errors = 0;
let stopping = false;

/** One keep-alive connection: at most one request outstanding; parses status and Content-Length. */
class Publisher {
  busy = false;
  head = '';
  bodyLeft = -1;
  status = 0;
  readonly socket: net.Socket;

  constructor(onReady: () => void) {
    this.socket = net.connect({ host, port }, onReady);
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      if (!stopping) {
        process.stderr.write('# publisher connection closed by the server\n');
        errors++;
      }
    });
  }

  send(): void {
    this.busy = true;
    sent++;
    this.socket.write(request());
  }

  #onData(chunk: Buffer): void {
    let text = chunk.toString('latin1');
    while (text.length > 0) {
      if (this.bodyLeft < 0) {
        this.head += text;
        const end = this.head.indexOf('\r\n\r\n');
        if (end < 0) return;
        this.status = Number(this.head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(this.head.slice(0, end));
        this.bodyLeft = length ? Number(length[1]) : 0;
        text = this.head.slice(end + 4);
        this.head = '';
      }
      const take = Math.min(this.bodyLeft, text.length);
      this.bodyLeft -= take;
      text = text.slice(take);
      if (this.bodyLeft === 0) {
        this.bodyLeft = -1;
        if (this.status >= 200 && this.status < 300) ok++;
        else errors++;
        this.busy = false;
        onIdle(this);
      }
    }
  }
}

const publishers: Publisher[] = [];
let connected = 0;
let t0 = 0;
let cpu0 = process.cpuUsage();

function onIdle(p: Publisher): void {
  if (stopping) return;
  if (rate === 0) p.send();
}

function start(): void {
  t0 = performance.now();
  cpu0 = process.cpuUsage();
  process.stdout.write('START\n');
  if (rate === 0) {
    for (const p of publishers) p.send();
  } else {
    const tick = setInterval(() => {
      if (stopping) return clearInterval(tick);
      const due = Math.floor(((performance.now() - t0) / 1000) * rate);
      for (const p of publishers) {
        if (sent >= due) break;
        if (!p.busy) p.send();
      }
    }, 1);
  }
  setTimeout(finish, secs * 1000);
}

function finish(): void {
  stopping = true;
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `${JSON.stringify({
      conns,
      target_rate: rate,
      sent,
      ok,
      errors,
      secs: Number(wall.toFixed(2)),
      publishes_per_s: Math.round(ok / wall),
      cpu_share: Number(((cpu.user + cpu.system) / 1e6 / wall).toFixed(3)),
    })}\n`,
    () => process.exit(0),
  );
}

for (let i = 0; i < conns; i++) {
  publishers.push(
    new Publisher(() => {
      if (++connected < conns) return;
      if (!args.includes('-w')) return start();
      process.stdout.write('READY\n');
      process.stdin.once('data', () => {
        process.stdin.pause();
        start();
      });
    }),
  );
}
