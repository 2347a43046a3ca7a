import type { EncodedEvent } from '../../protocol/index.js';
import type { HubContext } from '../hub-context.js';
import type { Update } from '../storage/update.js';
import type { Subscriber } from '../subscribers/subscriber.js';

/** Cursor value asking for the whole history (https://mercure.rocks/spec#reconciliation). */
export const EARLIEST = 'earliest';

/** What a subscriber receives from history before going live, and the cursor it is told. */
export interface HistoryReplay {
  /** Updates after the cursor that this subscriber wants, serialised. */
  readonly updates: readonly { update: Update; frame: EncodedEvent }[];
  /** Ids of every update the replay covered, wanted or not: queued live copies of them are skipped. */
  readonly coveredIds: ReadonlySet<string>;
  /**
   * The `Last-Event-ID` / `Mercure-Last-Event-ID` response value: the client's own cursor when history
   * holds it, `earliest` when it is unknown or unusable; undefined when no cursor was requested.
   */
  readonly responseCursor: string | undefined;
}

const NO_REPLAY: HistoryReplay = Object.freeze({
  updates: [],
  coveredIds: new Set<string>(),
  responseCursor: undefined,
});

/**
 * Reads history after `cursor` for `subscriber` (scan-bounded by `historyScanLimit`), keeping what its
 * selectors route and its claim allows. Call after the subscriber is registered for live updates, so
 * nothing published meanwhile is missed.
 */
export async function replayHistory(
  ctx: HubContext,
  subscriber: Subscriber,
  requested: boolean,
  cursor: string | undefined,
): Promise<HistoryReplay> {
  if (!requested) return NO_REPLAY;
  if (cursor === undefined) return { ...NO_REPLAY, responseCursor: EARLIEST };
  const result = await ctx.transport.replay(cursor, ctx.options.historyScanLimit);
  // A cursor naming a private update this subscriber may not read is, to it, unknown: echoing it or
  // replaying after it would confirm that the (possibly guessable, client-chosen) id exists.
  if (!result.found || (result.cursor !== undefined && !subscriber.mayRead(result.cursor))) {
    return { ...NO_REPLAY, responseCursor: EARLIEST };
  }
  return {
    updates: result.updates
      .filter((update) => subscriber.wants(update))
      .map((update) => ({ update, frame: ctx.frame(update) })),
    // The cursor too: a node whose reader lags behind the shared store can receive the client's own last
    // update live after the client reconnected to it; it must not be delivered a second time.
    coveredIds: new Set([cursor, ...result.updates.map((update) => update.id)]),
    // Echo the client's own id only when it is held, never another (possibly private) id from history.
    responseCursor: cursor,
  };
}
