/**
 * How the event log shows `data`: JSON pretty-printed with two-space indents, anything else as is
 * (line breaks kept, since `data` may span several `data:` lines).
 */
export function formatData(data: string): { text: string; json: boolean } {
  const trimmed = data.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { text: JSON.stringify(JSON.parse(trimmed), null, 2), json: true };
    } catch {
      // Not JSON after all: show it as text.
    }
  }
  return { text: data, json: false };
}

/** Bytes as a short human figure (kB, MB). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
