import type { Phase, Task } from '../types/playbook.js';
import {
  actionStates,
  automated,
  type Lane,
  label,
  perVersion,
  StateSet,
  sequence,
  sideBySide,
} from './action-lanes.js';
import { type Exit, gateLoop, step } from './states.js';

/** The staged end of the process: publish gate, publication, disclosure gate, disclosure. */

/** Publication, then disclosure: the staged tasks of the phase that holds them. */
export function publication(phase: Phase, tasks: readonly Task[]): Lane {
  const t = phase.title;
  const set = new StateSet();
  const publish = tasks.filter((task) => task.stage === 'publish' && automated(task));
  const disclose = tasks.filter((task) => task.stage === 'disclose');
  const discloseActions = disclose.filter((task) => automated(task));
  const askLater = disclose.filter((task) => task.completion.kind === 'manual');

  const ask = askLater.map((task) => `${t}: ask owners to ${label(task.id)}`);
  ask.forEach((name, i) => {
    const task = askLater[i] as Task;
    const next = ask[i + 1];
    set.put(name, step('ask-owners', { task: task.id }, 'discard', next ? { next } : { end: true }));
  });
  const afterDisclosure: Exit = ask[0] ? { next: ask[0] } : { end: true };
  const discloseLane = sequence(t, discloseActions, false, afterDisclosure);
  set.add(discloseLane.states);
  const disclosureStart = discloseLane.start || ask[0];

  const readyToDisclose = `${t}: ready to disclose?`;
  const computeDisclosure = `${t}: compute disclosure cutoff`;
  set.add(
    gateLoop(
      { literal: 'disclose' },
      { wait: readyToDisclose, escalate: `${t}: escalate unready disclosure`, recompute: computeDisclosure },
      disclosureStart ? { next: disclosureStart } : { end: true },
    ),
  );

  const failed = `${t}: publication failed`;
  const tellFailed = `${t}: tell release managers publication failed`;
  set.put(
    tellFailed,
    step(
      'publish-failed',
      { 'error.$': '$.failure.Error' },
      'discard',
      { next: failed },
      {
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: failed }],
      },
    ),
  );
  set.put(failed, {
    Type: 'Fail',
    Error: 'Publish.Failed',
    Cause: 'A publish action failed; nothing was disclosed. Fix it, then re-drive the release.',
  });

  const publishLanes: Lane[] = [];
  const eachVersion = publish.filter((task) => task.scope !== 'release');
  if (eachVersion.length > 0)
    publishLanes.push(perVersion(t, `${t}: publish each version`, eachVersion, { end: true }));
  for (const task of publish.filter((x) => x.scope === 'release')) {
    publishLanes.push(actionStates(t, task, false, { end: true }));
  }
  const publishName = `${t}: publish`;
  const toFailure = { ResultPath: '$.failure', Next: tellFailed };
  const published = sideBySide(
    publishName,
    publishLanes,
    { next: computeDisclosure },
    {
      Catch: [
        { ErrorEquals: ['Action.Failed', 'Pipeline.Failed'], ...toFailure },
        { ErrorEquals: ['States.ALL'], ...toFailure },
      ],
    },
  );
  set.add(published.states);

  const readyToPublish = `${t}: ready to publish?`;
  const computePublish = `${t}: compute publish cutoff`;
  set.add(
    gateLoop(
      { literal: 'publish' },
      { wait: readyToPublish, escalate: `${t}: escalate unready publication`, recompute: computePublish },
      { next: published.start },
    ),
  );
  return { start: computePublish, states: set.states };
}
