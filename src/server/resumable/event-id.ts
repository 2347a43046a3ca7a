/**
 * Event ids of a resumable stream: `<stream>:<seq>`, where `<stream>` names the stream and `<seq>` counts
 * its events from 0 without gaps. The id alone says which stream a `Last-Event-ID` belongs to and what
 * the reader has already received, so one attach endpoint serves every stream.
 */

/** Characters allowed in a stream id: URL-safe, no `:` (the separator). At most 64. */
const STREAM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const EVENT_ID = /^([A-Za-z0-9_-]{1,64}):(0|[1-9]\d{0,8})$/;

/** A parsed resumable-stream event id. */
export interface StreamCursor {
  /** The stream id. */
  readonly streamId: string;
  /** The sequence number of the last event received; -1 means "nothing yet". */
  readonly seq: number;
}

/** Whether `value` can be a stream id (1 to 64 characters of `A-Z a-z 0-9 _ -`). */
export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/** The id of event `seq` of stream `streamId`. */
export function streamEventId(streamId: string, seq: number): string {
  return `${streamId}:${seq}`;
}

/** Parses `<stream>:<seq>`; undefined when `value` is not a resumable-stream event id. */
export function parseStreamEventId(value: string): StreamCursor | undefined {
  const match = EVENT_ID.exec(value);
  if (match === null) return undefined;
  return { streamId: match[1] as string, seq: Number(match[2]) };
}
