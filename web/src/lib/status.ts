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
  stopCountdown(element);
  element.dataset.state = state;
  element.textContent = detail ? `${LABELS[state]} ${detail}` : LABELS[state];
}

const countdowns = new WeakMap<HTMLElement, ReturnType<typeof setInterval>>();

function stopCountdown(element: HTMLElement): void {
  clearInterval(countdowns.get(element));
  countdowns.delete(element);
}

/** "Reconnecting… in 3 s", counting down each second until the next state is shown. */
export function showReconnecting(element: HTMLElement, delayMs: number): void {
  const until = Date.now() + delayMs;
  const render = () => {
    const seconds = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    element.dataset.state = 'reconnecting';
    element.textContent =
      seconds > 0 ? `${LABELS.reconnecting} in ${seconds} s` : `${LABELS.reconnecting} now`;
  };
  stopCountdown(element);
  render();
  countdowns.set(element, setInterval(render, 250));
}
