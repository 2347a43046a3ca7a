/** The element with `id`; throws when the page lacks it (a page/script mismatch, caught by the tests). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The page has no #${id}`);
  return element as T;
}

/** Creates an element with a class and text (never HTML: data from the network is only ever text). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** Local time as HH:MM:SS. */
export function clockTime(date = new Date()): string {
  return date.toLocaleTimeString([], { hour12: false });
}

/** Keeps at most `max` children, removing from the end (oldest when newest is prepended). */
export function trimChildren(parent: Element, max: number): void {
  while (parent.childElementCount > max) parent.lastElementChild?.remove();
}
