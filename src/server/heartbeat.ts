/** Something a heartbeat clock ticks: a stream checking whether it has been idle long enough. */
export interface HeartbeatMember {
  heartbeatTick(now: number): void;
}

/**
 * Ticks per heartbeat interval. A heartbeat goes out between `heartbeatMs` and `heartbeatMs × 1.125` of
 * silence: precise enough for proxy idle timeouts ("every 15 seconds or so", https://html.spec.whatwg.org/multipage/server-sent-events.html#authoring-notes), and it lets
 * all streams with the same interval share one timer instead of holding one each.
 */
const HEARTBEAT_TICKS_PER_INTERVAL = 8;

/** One shared, unref'd interval timer per distinct heartbeat interval. */
class HeartbeatClock {
  readonly members = new Set<HeartbeatMember>();
  readonly timer: ReturnType<typeof setInterval>;
  constructor(interval: number) {
    this.timer = setInterval(() => this.#tick(), Math.max(1, interval / HEARTBEAT_TICKS_PER_INTERVAL));
    // Node: never keep the process alive for heartbeats. Other runtimes return a number here.
    (this.timer as { unref?: () => void }).unref?.();
  }
  #tick(): void {
    const now = Date.now();
    for (const member of this.members) member.heartbeatTick(now);
  }
}

const clocks = new Map<number, HeartbeatClock>();

/** Adds `member` to the clock for `interval` ms, starting that clock if needed. */
export function joinHeartbeat(interval: number, member: HeartbeatMember): void {
  let clock = clocks.get(interval);
  if (clock === undefined) {
    clock = new HeartbeatClock(interval);
    clocks.set(interval, clock);
  }
  clock.members.add(member);
}

/** Removes `member`; a clock with no members left stops, so an idle process holds no timer. */
export function leaveHeartbeat(interval: number, member: HeartbeatMember): void {
  const clock = clocks.get(interval);
  if (clock === undefined) return;
  clock.members.delete(member);
  if (clock.members.size === 0) {
    clearInterval(clock.timer);
    clocks.delete(interval);
  }
}
