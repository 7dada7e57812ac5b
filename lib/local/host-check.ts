import type { IncomingMessage } from 'node:http';

/**
 * DNS rebinding guard for local mode: a page on another site can make a browser send requests to
 * 127.0.0.1 under its own name, and read the answers. So the API and the dashboard answer only
 * requests whose `Host` names the address local mode listens on (127.0.0.1, localhost or [::1] with its
 * port) or a host the user allowed in config (`localAllowedHosts`, for a proxy in front). The webhook
 * route is exempt: GitLab reaches it through tunnels and proxies, and its token authenticates it.
 */

/** Hosts (lower case, with port) that may reach the API and dashboard on `port`. */
export function allowedHosts(port: number, extra: readonly string[] = []): ReadonlySet<string> {
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  for (const host of extra) {
    const lower = host.trim().toLowerCase();
    if (lower.length === 0) continue;
    hosts.add(lower);
  }
  return hosts;
}

/** Whether the request's `Host` header is one of `allowed` (an allowed host without a port matches any port). */
export function hostAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const header = req.headers.host;
  if (typeof header !== 'string' || header.length === 0) return false;
  const host = header.trim().toLowerCase();
  if (allowed.has(host)) return true;
  const withoutPort = host.replace(/:\d+$/, '');
  return withoutPort !== host && allowed.has(withoutPort);
}
