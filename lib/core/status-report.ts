import { DateTime } from 'luxon';
import { evaluateGate, parseGateId, phaseGate } from './gates.js';
import { fixLines } from './mr-provenance.js';
import { readinessReasons } from './readiness.js';
import { publicationUnderway } from './release/tag-proof.js';
import { expandTasks, type TaskInstance } from './tasks.js';
import type { PhaseId, Playbook } from './types/playbook.js';
import type { ReleaseState } from './types/release.js';
import type { GateId } from './types/workflow.js';
import { MAIN_LINE } from './versions.js';
import { releaseWarnings } from './warnings.js';

/**
 * The `/secrel status` reply: where the release stands, what is open and who owns it, and what
 * each gate still waits for. Markdown for the confidential release issue; owners are named by
 * role, not username, so a status reply does not mention (and e-mail) anyone.
 */

/** Cutoff per phase as ISO strings with `Z` (from the schedule module). */
export type PhaseCutoffs = Readonly<Partial<Record<PhaseId, string>>>;

/** How many missing items a gate line lists before summarising the rest. */
const MISSING_SHOWN = 5;

function minutes(iso: string): string {
  const moment = DateTime.fromISO(iso, { zone: 'utc' });
  return moment.isValid ? moment.toFormat("yyyy-MM-dd'T'HH:mm'Z'") : iso;
}

function gateLine(state: ReleaseState, gate: GateId, playbook: Playbook): string {
  const stored = state.gates[gate];
  if (stored?.status === 'open') return `- \`${gate}\`: open`;
  if (stored?.status === 'failed') return `- \`${gate}\`: failed`;
  const { holds, missing } = evaluateGate(state, gate, playbook);
  if (holds) return `- \`${gate}\`: ready`;
  const shown = missing.slice(0, MISSING_SHOWN).join('; ');
  const more = missing.length > MISSING_SHOWN ? `; and ${missing.length - MISSING_SHOWN} more` : '';
  return `- \`${gate}\`: waiting on ${shown}${more}`;
}

function taskLine(instance: TaskInstance): string {
  return `- [ ] \`${instance.key}\` ${instance.task.text} (${instance.task.owners.join(', ')})`;
}

/** The security MRs that are open, each with why it is not ready yet. */
function mergeRequestLines(state: ReleaseState): string[] {
  const open = Object.values(state.mergeRequests).filter((mr) => mr.state === 'opened');
  if (open.length === 0) return [];
  return [
    '',
    '#### Security merge requests',
    '',
    ...open.map((mr) => {
      const reasons = readinessReasons(state, mr);
      return `- !${mr.iid} (${mr.version}): ${reasons.length === 0 ? 'ready to merge' : `not ready: ${reasons.join('; ')}`}`;
    }),
  ];
}

/** Per affected version, the tag or GitLab release that proved it published, once publication is under way. */
function tagLines(state: ReleaseState): string[] {
  if (!publicationUnderway(state) && Object.keys(state.tags ?? {}).length === 0) return [];
  return [
    '',
    '#### Tags',
    '',
    ...state.versions.map((version) => {
      const seen = state.tags?.[version];
      if (seen === undefined) return `- ${version}: no tag or GitLab release seen yet`;
      const by = seen.source === 'release' ? 'GitLab release' : 'tag';
      return `- ${version}: ${seen.patchVersion} (${by} \`${seen.tag}\` in ${seen.projectPath})`;
    }),
  ];
}

/** Markdown status of a release for a reply on the release issue. */
export function statusReport(state: ReleaseState, playbook: Playbook, cutoffs: PhaseCutoffs = {}): string {
  const order = playbook.phases.map((p) => p.id);
  const current = order.indexOf(state.phase);
  const phaseTitle = (id: PhaseId) => playbook.phases.find((p) => p.id === id)?.title ?? id;
  const cutoffOf = (id: PhaseId) => (cutoffs[id] ? ` (cutoff ${minutes(cutoffs[id])})` : '');

  const lines: string[] = [
    `### Security release ${state.id}: ${state.status}, ${phaseTitle(state.phase)}${cutoffOf(state.phase)}`,
    '',
    `Day one: ${state.dayOne ?? 'not set'} · affected versions: ${state.versions.join(', ') || 'not set'} · slip: ${state.slipHours} h`,
  ];
  if (state.status === 'aborted') lines.push('', 'This release was aborted.');
  for (const warning of releaseWarnings(state, playbook)) lines.push('', `Warning: ${warning}.`);

  const open = expandTasks(playbook, state.versions).filter((i) => {
    const s = state.tasks[i.key]?.status;
    return s !== 'done' && s !== 'waived';
  });
  const due = open.filter((i) => order.indexOf(i.task.phase) <= current);
  const later = open.length - due.length;
  lines.push('', '#### Open tasks');
  if (due.length === 0) lines.push('', 'Nothing open up to this phase.');
  for (const phase of order.slice(0, current + 1)) {
    const ofPhase = due.filter((i) => i.task.phase === phase);
    if (ofPhase.length === 0) continue;
    lines.push('', `**${phaseTitle(phase)}**${cutoffOf(phase)}`, ...ofPhase.map(taskLine));
  }
  if (later > 0) lines.push('', `${later} more open in later phases.`);

  const fixes = [...state.versions, MAIN_LINE].flatMap((version) => fixLines(state, version));
  if (fixes.length > 0) lines.push('', '#### Fixes', '', ...fixes.map((line) => `- ${line}`));
  lines.push(...mergeRequestLines(state));
  lines.push(...tagLines(state));

  const gates = new Set<GateId>(['schedule-confirmed', phaseGate(state.phase), 'publish', 'disclose']);
  for (const id of Object.keys(state.gates)) {
    const gate = parseGateId(id);
    if (gate) gates.add(gate);
  }
  lines.push('', '#### Gates', '', ...[...gates].map((gate) => gateLine(state, gate, playbook)));
  return lines.join('\n');
}
