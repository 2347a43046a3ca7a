/**
 * A stable error code: `SSEHUB_` then upper-case words. The README section "Errors" gives each code's
 * meaning and fix; a test fails when a code is missing there or listed there but no longer raised.
 */
export type ErrorCode = `SSEHUB_${string}`;

/**
 * Base class of every error ssehub raises. `code` stays the same across versions, so branch on it (or on
 * `instanceof`), never on the message, which may be reworded.
 *
 * A subclass declares its codes where tooling can enumerate them from the package's exports: a static
 * `code` when it has one, or a static `statuses` table (code to HTTP status) when it is an HTTP refusal
 * that can carry several. Adding a code is one line there plus a row in the README "Errors" table.
 */
export class SsehubError extends Error {
  override readonly name: string = 'SsehubError';
  constructor(
    /** Stable identifier of what went wrong, e.g. `SSEHUB_INVALID_FIELD`. */
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
