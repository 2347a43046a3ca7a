/**
 * Whether `host` names this machine only: `localhost`, an IPv4 address in 127.0.0.0/8, `::1`, or an
 * IPv4-mapped 127.x address (`::ffff:127.0.0.1`), with or without IPv6 brackets, in any letter case. The
 * test for an address to listen on: anything else may be reachable from other machines.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return (
    h === 'localhost' ||
    h === '::1' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) ||
    /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

/**
 * The authority a request was addressed to, as sent (host and port, e.g. `127.0.0.1:8844`): the `Host`
 * header, or HTTP/2's `:authority` pseudo-header, which browsers send instead of `Host` (RFC 9113
 * section 8.3.1). Empty when neither is present. Read it here, never as `headers.host` alone, so a check
 * that works over HTTP/1.1 does not fail over HTTP/2.
 */
export function requestAuthority(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const host = headers.host;
  if (typeof host === 'string' && host !== '') return host;
  const authority = headers[':authority'];
  return typeof authority === 'string' ? authority : '';
}

/**
 * The host name a request was addressed to, lower-cased and without its port ({@link requestAuthority}).
 * Empty when the request names none.
 */
export function requestHostName(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const host = requestAuthority(headers).toLowerCase();
  // Strip the port: `[::1]:8844`, `127.0.0.1:8844`, `localhost:8844`.
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
}

/**
 * Whether a request came addressed to a loopback name ({@link isLoopbackAddress}, or a `*.localhost`
 * name, which browsers always resolve to loopback, RFC 6761 section 6.3). Guards what only a local
 * developer may have: a DNS-rebinding page (`evil.example` re-pointed at 127.0.0.1) is same-origin with
 * itself for the browser and passes every Origin check, but it cannot make the browser send a loopback
 * `Host`. Not a test for addresses to listen on: a `*.localhost` name may resolve elsewhere outside browsers.
 */
export function isLoopbackRequest(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const name = requestHostName(headers);
  return isLoopbackAddress(name) || name.endsWith('.localhost');
}
