// secrel dashboard: polls the local API every second and redraws. Every piece of text goes
// through textContent, never innerHTML, so nothing from the API can become markup.

const POLL_MS = 1000;
let selected = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || undefined;
let current; // last release view, for the countdown between polls
let fetchedAt = 0; // real ms when `current` arrived

/** Creates an element: h('td', { class: 'x' }, 'text', child). Strings become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A URL from a payload as a link target, only when it is http(s): never `javascript:` or `data:`. */
function safeHref(url) {
  return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : undefined;
}

/** A link to a payload URL, or plain text when the URL is not http(s). */
function issueLink(url, text) {
  const href = safeHref(url);
  return href ? h('a', { href, rel: 'noreferrer' }, text) : h('span', {}, text);
}

/** `2026-12-04T12:00:00.000Z` -> `2026-12-04 12:00` (UTC, to the minute). */
function utc(iso) {
  if (!iso) return '—';
  return iso.replace('T', ' ').slice(0, 16);
}

function timeEl(iso) {
  return iso ? h('time', { datetime: iso }, utc(iso)) : '—';
}

/** Release-clock now, advanced by the real time since the last poll times the clock's speed. */
function releaseNow() {
  if (!current) return Date.now();
  return Date.parse(current.now) + (Date.now() - fetchedAt) * (current.speed || 1);
}

function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const hh = String(Math.floor((total % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, '0');
  const ss = String(total % 60).padStart(2, '0');
  return `${d > 0 ? `${d}d ` : ''}${hh}:${mm}:${ss}`;
}

function tick() {
  const now = releaseNow();
  document.getElementById('clock').textContent =
    utc(new Date(now).toISOString()) + new Date(now).toISOString().slice(16, 19);
  const countdown = document.getElementById('countdown');
  if (countdown && current?.nextCutoff) {
    const left = Date.parse(current.nextCutoff.at) - now;
    // A cutoff reached between polls reads "due now", never 00:00:00; the next poll says by how much it is overdue.
    countdown.textContent = left > 0 ? formatDuration(left) : 'due now';
  }
}

function setConnection(ok) {
  const el = document.getElementById('connection');
  el.textContent = ok ? 'live' : 'server not answering';
  el.className = ok ? 'connection' : 'connection down';
}

function renderReleases(releases) {
  const list = document.getElementById('releases');
  if (!selected && releases.length > 0) selected = releases[0].id;
  const items = releases.map((r) =>
    h(
      'li',
      {},
      h(
        'a',
        {
          href: `#/${encodeURIComponent(r.id)}`,
          class: r.id === selected ? 'selected' : undefined,
          'data-release': r.id,
        },
        r.projectPath,
        ` #${r.id.split('-')[1] || r.id}`,
        h('small', {}, `${r.status} · ${r.phase}`),
      ),
    ),
  );
  list.replaceChildren(...(items.length > 0 ? items : [h('li', { class: 'muted' }, 'none yet')]));
}

function statusCell(status, late) {
  return h(
    'td',
    { class: `status status-${status}` },
    status,
    late ? h('span', { class: 'badge late' }, 'late') : undefined,
  );
}

function yesNo(value) {
  return h('td', { class: value ? 'yes' : 'no' }, value ? '✓ yes' : '… no');
}

function renderSchedule(r) {
  const days = r.phases.map((p) =>
    h(
      'div',
      {
        class: ['day', p.current ? 'current' : '', p.passed ? 'passed' : ''].join(' ').trim(),
        'data-phase': p.id,
      },
      h('span', { class: 'title' }, p.title),
      p.cutoff
        ? h('span', {}, 'cutoff ', h('time', { datetime: p.cutoff, class: 'cutoff' }, `${utc(p.cutoff)} UTC`))
        : h('span', { class: 'muted' }, 'not scheduled'),
    ),
  );
  const next = r.nextCutoff
    ? h(
        'p',
        {},
        'Next cutoff: ',
        h('b', {}, r.nextCutoff.title),
        ` at ${utc(r.nextCutoff.at)} UTC, in `,
        h('span', { id: 'countdown', class: 'countdown' }, '…'),
        ' (release clock)',
      )
    : h(
        'p',
        { class: 'muted' },
        r.dayOne ? 'Every cutoff has passed.' : 'Day one is not set yet (/secrel start YYYY-MM-DD).',
      );
  return [h('h2', {}, 'The four days (UTC)'), h('div', { class: 'days' }, days), next];
}

function renderMatrix(r) {
  if (r.matrix.length === 0)
    return [
      h('h2', {}, 'Affected versions'),
      h('p', { class: 'muted' }, 'Not set yet (/secrel versions 17.5,17.4).'),
    ];
  return [
    h('h2', {}, 'Affected versions'),
    h(
      'table',
      { id: 'matrix' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Version', 'Security MR merged', 'Packages built', 'Validated', 'Published'].map((t) =>
            h('th', {}, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        r.matrix.map((v) =>
          h(
            'tr',
            { 'data-version': v.version },
            h('td', {}, h('b', {}, v.version)),
            h(
              'td',
              { class: v.merged ? 'yes' : 'no' },
              v.merged ? '✓ yes' : '… no',
              v.mergeRequests.length > 0
                ? h(
                    'span',
                    { class: 'muted' },
                    ` (${v.mergeRequests.map((m) => `!${m.iid} ${m.state}`).join(', ')})`,
                  )
                : '',
              // Which MR is the fix and why another is not counted (text only, never markup).
              ...(v.fixes ?? []).map((line) => h('div', { class: 'muted fix-line' }, line)),
              ...v.mergeRequests
                .filter((m) => m.notReady && m.notReady.length > 0)
                .map((m) =>
                  h(
                    'div',
                    { class: 'not-ready', 'data-mr': m.iid },
                    `!${m.iid} not ready: ${m.notReady.join('; ')}`,
                  ),
                ),
            ),
            yesNo(v.packagesBuilt),
            yesNo(v.validated),
            yesNo(v.published),
          ),
        ),
      ),
    ),
  ];
}

function renderGates(r) {
  if (r.gates.length === 0) return [h('h2', {}, 'Gates'), h('p', { class: 'muted' }, 'No gate reached yet.')];
  return [
    h('h2', {}, 'Gates'),
    h(
      'table',
      { id: 'gates' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Gate', 'State', 'Waiting since', 'Opened'].map((t) => h('th', {}, t)),
        ),
      ),
      h(
        'tbody',
        {},
        r.gates.map((g) =>
          h(
            'tr',
            { 'data-gate': g.id },
            h('td', {}, g.id),
            statusCell(g.status, false),
            h('td', {}, timeEl(g.since)),
            h('td', {}, timeEl(g.openedAt || g.failedAt)),
          ),
        ),
      ),
    ),
  ];
}

function renderTasks(r) {
  const out = [h('h2', {}, 'Tasks by phase')];
  for (const phase of r.phases) {
    const tasks = r.tasks.filter((t) => t.phase === phase.id);
    if (tasks.length === 0) continue;
    const done = tasks.filter((t) => t.status !== 'open').length;
    out.push(
      h(
        'h3',
        {},
        phase.title,
        h(
          'span',
          { class: 'muted' },
          ` — ${done}/${tasks.length} done, cutoff ${phase.cutoff ? `${utc(phase.cutoff)} UTC` : 'not scheduled'}`,
        ),
      ),
      h(
        'table',
        { class: 'tasks' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Task', 'Version', 'Owner', 'Status', 'Completed by', 'Due (UTC)'].map((t) => h('th', {}, t)),
          ),
        ),
        h(
          'tbody',
          {},
          tasks.map((t) =>
            h(
              'tr',
              { 'data-task': t.key, 'data-status': t.status },
              h('td', {}, t.text, h('span', { class: 'muted' }, ` [${t.id}]`)),
              h('td', {}, t.version || ''),
              h(
                'td',
                {},
                t.owners.join(', '),
                t.ownerUsers.length > 0
                  ? h('div', { class: 'muted' }, t.ownerUsers.map((u) => `@${u}`).join(' '))
                  : '',
              ),
              statusCell(t.status, t.late),
              h('td', {}, t.by ? `${t.by}${t.at ? ` at ${utc(t.at)}` : ''}` : ''),
              h('td', {}, timeEl(t.due)),
            ),
          ),
        ),
      ),
    );
  }
  return out;
}

function renderTimeline(r) {
  const entries = [...r.timeline].reverse();
  return [
    h('h2', {}, 'Audit timeline'),
    h(
      'ol',
      { class: 'timeline', id: 'timeline', reversed: true },
      entries.map((e) =>
        h(
          'li',
          {},
          timeEl(e.at),
          h('span', { class: 'kind' }, e.kind),
          h('span', {}, e.summary, e.actor ? h('span', { class: 'muted' }, ` — ${e.actor}`) : ''),
        ),
      ),
    ),
  ];
}

/** Trouble first: failed steps, refused claims, embargo break, overdue cutoffs, then warnings. */
function renderTrouble(r) {
  const trouble = r.trouble || [];
  const warnings = r.warnings || [];
  if (trouble.length === 0 && warnings.length === 0) return [];
  return [
    h(
      'section',
      { id: 'trouble', class: 'trouble', role: 'alert' },
      trouble.map((t) =>
        h(
          'div',
          { class: `trouble-item ${t.kind}`, 'data-kind': t.kind },
          h('b', {}, t.text),
          t.command ? h('span', {}, ' → ', h('code', {}, t.command)) : '',
        ),
      ),
      warnings.map((w) =>
        h('div', { class: 'trouble-item warning', 'data-kind': 'warning' }, `Warning: ${w}`),
      ),
    ),
  ];
}

function renderRelease(r) {
  const main = document.getElementById('release');
  const facts = h(
    'div',
    { class: 'facts' },
    h('span', {}, 'Status ', h('b', { id: 'release-status' }, r.status)),
    h('span', {}, 'Phase ', h('b', { id: 'release-phase' }, r.phaseTitle)),
    h('span', {}, 'Day one ', h('b', {}, r.dayOne || 'not set')),
    r.slipHours ? h('span', {}, 'Slip ', h('b', {}, `${r.slipHours} h`)) : undefined,
    h('span', {}, 'Versions ', h('b', { id: 'release-versions' }, r.versions.join(', ') || 'not set')),
    r.execution
      ? h(
          'span',
          {},
          'State machine ',
          h('b', {}, r.execution.status),
          r.execution.currentState ? ` at "${r.execution.currentState}"` : '',
        )
      : undefined,
  );
  const links = h(
    'p',
    { class: 'muted' },
    'Vulnerability issue ',
    issueLink(r.vulnerabilityIssue.url, `#${r.vulnerabilityIssue.iid}`),
    r.releaseIssue ? ' · release issue ' : '',
    r.releaseIssue ? issueLink(r.releaseIssue.url, `#${r.releaseIssue.iid}`) : '',
  );
  main.replaceChildren(
    h('h2', {}, `Release ${r.id} — ${r.projectPath}`),
    ...renderTrouble(r),
    facts,
    links,
    ...renderSchedule(r),
    ...renderMatrix(r),
    ...renderGates(r),
    ...renderTasks(r),
    ...renderTimeline(r),
  );
  main.dataset.release = r.id;
  tick();
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

async function poll() {
  try {
    const { releases } = await getJson('/api/releases');
    renderReleases(releases);
    if (selected) {
      const view = await getJson(`/api/releases/${encodeURIComponent(selected)}`);
      current = view;
      fetchedAt = Date.now();
      renderRelease(view);
    }
    setConnection(true);
  } catch {
    setConnection(false);
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

window.addEventListener('hashchange', () => {
  selected = decodeURIComponent(location.hash.replace(/^#\/?/, '')) || undefined;
  current = undefined;
});
setInterval(tick, 250);
poll();
