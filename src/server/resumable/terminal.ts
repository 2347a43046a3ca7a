/**
 * The event types that end a resumable stream. Every stream ends with exactly one of them, so a client
 * can always tell a finished answer from a cut-off one; a connection that ends without one was lost and
 * should re-attach with `Last-Event-ID`.
 *
 * - `done`: the producer finished (`{"reason":"complete"}`) or was cancelled (`{"reason":"cancelled"}`).
 * - `error`: the producer threw; data `{"code":…,"message":…}` with a message safe to show.
 * - `interrupted`: the server shut down, or the process producing it was lost (`{"reason":"shutdown"}`,
 *   `{"reason":"lost"}`); every event stored before it was delivered. Starting again is up to the user.
 */
export const TERMINAL_EVENTS = ['done', 'error', 'interrupted'] as const;

/** One of {@link TERMINAL_EVENTS}. */
export type TerminalEventType = (typeof TERMINAL_EVENTS)[number];

/** Whether `type` ends a resumable stream (a producer may not send it). */
export function isTerminalEvent(type: string | undefined): type is TerminalEventType {
  return type === 'done' || type === 'error' || type === 'interrupted';
}

/** A terminal event before it gets its id. */
export interface TerminalEvent {
  readonly event: TerminalEventType;
  readonly data: string;
}

/** `done`: finished or cancelled. */
export function doneEvent(reason: 'complete' | 'cancelled'): TerminalEvent {
  return { event: 'done', data: JSON.stringify({ reason }) };
}

/** `error`: the producer failed; `message` must be safe to show to the user. */
export function errorEvent(code: string, message: string): TerminalEvent {
  return { event: 'error', data: JSON.stringify({ code, message }) };
}

/** `interrupted`: cut off by a shutdown or by the loss of the producing process. */
export function interruptedEvent(reason: 'shutdown' | 'lost'): TerminalEvent {
  return { event: 'interrupted', data: JSON.stringify({ reason }) };
}
