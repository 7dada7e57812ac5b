import type { DateTime } from 'luxon';
import type { PhaseId } from './playbook.js';

/**
 * Types of the computed schedule: the playbook's day offsets turned into UTC moments for one
 * release (DESIGN.md §4.7: times are computed, not typed).
 */

/** One phase of a release's schedule, as UTC moments. */
export interface PhaseWindow {
  readonly phase: PhaseId;
  /** The seed's heading, as the playbook spells it. */
  readonly title: string;
  /** When the phase opens; `null` for First steps, which open when the release starts. */
  readonly start: DateTime | null;
  /** The cutoff every task of the phase must meet. */
  readonly cutoff: DateTime;
}

/** The whole schedule of one release: Day one, the slip applied, and every phase in process order. */
export interface Schedule {
  /** Day one at 00:00 UTC, before any slip. */
  readonly dayOne: DateTime;
  /** Hours every start and cutoff has been moved by. */
  readonly slipHours: number;
  readonly phases: readonly PhaseWindow[];
}

/** The next cutoff to come: which phase it closes and when. */
export interface UpcomingCutoff {
  readonly phase: PhaseId;
  readonly title: string;
  readonly at: DateTime;
}

/** Why an embargo deserves a second look; warnings never stop a release. */
export type EmbargoWarningCode = 'publication-late-in-week' | 'embargo-over-14-days' | 'publication-passed';

/** A warning about the embargo the schedule implies, with a one-line message for people. */
export interface EmbargoWarning {
  readonly code: EmbargoWarningCode;
  readonly message: string;
}
