/** The connection states every page shows in its status pill. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'error';

const LABELS: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  reconnecting: 'Reconnecting…',
  stopped: 'Stopped',
  error: 'Error',
};

/**
 * Shows the connection state in an element with `role="status"` (announced politely by screen
 * readers), as text and as `data-state` for the colour.
 */
export function showState(element: HTMLElement, state: ConnectionState, detail?: string): void {
  element.dataset.state = state;
  element.textContent = detail ? `${LABELS[state]} ${detail}` : LABELS[state];
}
