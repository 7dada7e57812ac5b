import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from '../http-server.js';

/**
 * Serves the dashboard (DESIGN.md §8 `GET /`): one HTML page, its script and stylesheet, read
 * from `static/` next to this file. No build step: what is on disk is what the browser gets.
 */

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

/** Paths the dashboard answers, with the file and content type behind each. */
const FILES: Readonly<Record<string, { readonly file: string; readonly type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The page with the configured release label in its empty-state text (HTML-escaped). */
function withReleaseLabel(page: Buffer, label = 'the release label'): Buffer {
  const escaped = label.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return Buffer.from(page.toString('utf8').replaceAll('{{releaseLabel}}', escaped));
}

/**
 * The dashboard as a route of the local HTTP server. Files are read once and kept; the page is
 * strict about what it may load (its own origin only), so even a bug cannot pull in a script.
 */
export function dashboardRoute(
  options: { readonly releaseLabel?: string; readonly staticDir?: string } = {},
): RouteHandler {
  const staticDir = options.staticDir ?? STATIC_DIR;
  const cache = new Map<string, Buffer>();
  return async (req, res, url) => {
    const entry = Object.hasOwn(FILES, url.pathname) ? FILES[url.pathname] : undefined;
    if (!entry || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
    let body = cache.get(entry.file);
    if (!body) {
      body = await readFile(`${staticDir}${entry.file}`);
      if (entry.file === 'index.html') body = withReleaseLabel(body, options.releaseLabel);
      cache.set(entry.file, body);
    }
    res.writeHead(200, {
      'content-type': entry.type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
