import type { ActionRecord, ReleaseState, TimelineEntry } from '../../core/types/release.js';

/**
 * The single-table layout of the release store: attribute names, key builders and item shapes.
 * No SDK here, so the CDK table and its tests can read the same constants.
 *
 * | item           | pk                    | sk                                  | gsi1pk / gsi1sk              |
 * |----------------|-----------------------|-------------------------------------|------------------------------|
 * | release state  | `RELEASE#<id>`        | `STATE`                             | `RELEASES` / `<createdAt>#<id>` |
 * | timeline entry | `RELEASE#<id>`        | `TIMELINE#<revision>#<index>`       |                              |
 * | action record  | `RELEASE#<id>`        | `ACTION#<action>#<subject>`         |                              |
 * | routing key    | `ROUTE#<routingKey>`  | `RELEASE#<id>`                      |                              |
 * | delivery       | `DELIVERY#<key>`      | `DELIVERY`                          | (TTL `expiresAt`)            |
 *
 * Listing releases queries GSI `gsi1` on the one partition `RELEASES` (one partition per kind:
 * only release states carry `gsi1pk`), never a Scan. The index projects keys only; the store reads
 * the states themselves with a consistent batch get, so the list is never staler than `get`.
 */

/** Partition key attribute (string). */
export const PARTITION_KEY = 'pk';
/** Sort key attribute (string). */
export const SORT_KEY = 'sk';
/** The one global secondary index: releases by kind. */
export const GSI1_NAME = 'gsi1';
/** GSI partition key attribute (string). */
export const GSI1_PARTITION_KEY = 'gsi1pk';
/** GSI sort key attribute (string). */
export const GSI1_SORT_KEY = 'gsi1sk';
/** What the GSI projects: keys are enough, states are read from the table. */
export const GSI1_PROJECTION = 'KEYS_ONLY';
/** TTL attribute, epoch seconds. Only deliveries carry it. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** How long a delivery key is kept to recognise duplicates: GitLab retries within hours, we keep a week. */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;
/** DynamoDB's limit on items in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/** The whole layout in one object, for infra tests that compare the CDK table with it. */
export const TABLE_LAYOUT = {
  partitionKey: PARTITION_KEY,
  sortKey: SORT_KEY,
  gsi1: {
    name: GSI1_NAME,
    partitionKey: GSI1_PARTITION_KEY,
    sortKey: GSI1_SORT_KEY,
    projection: GSI1_PROJECTION,
  },
  ttlAttribute: TTL_ATTRIBUTE,
} as const;

/** The GSI partition that holds every release state. */
export const RELEASES_PARTITION = 'RELEASES';
/** Sort key of a release's state item. */
export const STATE_SK = 'STATE';
const DELIVERY_SK = 'DELIVERY';
const TIMELINE_PREFIX = 'TIMELINE#';
const ACTION_PREFIX = 'ACTION#';

/** Primary key of any item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** Partition of one release: its state, timeline and action records. */
export function releasePk(releaseId: string): string {
  return `RELEASE#${releaseId}`;
}

/** Key of a release's state item. */
export function releaseStateKey(releaseId: string): ItemKey {
  return { pk: releasePk(releaseId), sk: STATE_SK };
}

/** Sort key prefix of a release's timeline entries. */
export const TIMELINE_SK_PREFIX = TIMELINE_PREFIX;
/** Sort key prefix of a release's action records. */
export const ACTION_SK_PREFIX = ACTION_PREFIX;

/**
 * Key of one timeline entry. Revision then position within the commit, zero-padded, so a Query
 * returns entries in the order the changes were committed (clocks of two writers may disagree).
 */
export function timelineKey(releaseId: string, revision: number, index: number): ItemKey {
  const rev = String(revision).padStart(10, '0');
  const pos = String(index).padStart(3, '0');
  return { pk: releasePk(releaseId), sk: `${TIMELINE_PREFIX}${rev}#${pos}` };
}

/** Key of an action record: one per release, action and subject (DESIGN.md §4.3). */
export function actionKey(releaseId: string, action: string, subject: string): ItemKey {
  return { pk: releasePk(releaseId), sk: `${ACTION_PREFIX}${action}#${subject}` };
}

/** Partition of a routing key: one item per release it points at. */
export function routePk(routingKey: string): string {
  return `ROUTE#${routingKey}`;
}

/** Key of the item saying `routingKey` points at `releaseId`. */
export function routeKey(routingKey: string, releaseId: string): ItemKey {
  return { pk: routePk(routingKey), sk: releasePk(releaseId) };
}

/** Key of a recorded webhook delivery. */
export function deliveryKey(key: string): ItemKey {
  return { pk: `DELIVERY#${key}`, sk: DELIVERY_SK };
}

/** GSI sort key of a release: oldest release first when listing. */
export function releaseListSk(state: Pick<ReleaseState, 'id' | 'createdAt'>): string {
  return `${state.createdAt}#${state.id}`;
}

/** Release state item. The state is a map (readable in the console), not a JSON string. */
export interface ReleaseItem extends ItemKey {
  readonly kind: 'release';
  readonly releaseId: string;
  /** Copied from the state so the commit condition can read it. */
  readonly revision: number;
  readonly gsi1pk: string;
  readonly gsi1sk: string;
  readonly state: ReleaseState;
}

/** Timeline entry item. */
export interface TimelineItem extends ItemKey {
  readonly kind: 'timeline';
  readonly releaseId: string;
  readonly revision: number;
  readonly entry: TimelineEntry;
}

/** Action record item. */
export interface ActionItem extends ItemKey {
  readonly kind: 'action';
  readonly record: ActionRecord;
}

/** Routing item: `routingKey` points at `releaseId`. */
export interface RouteItem extends ItemKey {
  readonly kind: 'route';
  readonly routingKey: string;
  readonly releaseId: string;
}

/** Delivery item, removed by TTL after {@link DELIVERY_TTL_SECONDS}. */
export interface DeliveryItem extends ItemKey {
  readonly kind: 'delivery';
  readonly expiresAt: number;
}

/** Builds the state item of a release. */
export function releaseItem(state: ReleaseState): ReleaseItem {
  return {
    ...releaseStateKey(state.id),
    kind: 'release',
    releaseId: state.id,
    revision: state.revision,
    gsi1pk: RELEASES_PARTITION,
    gsi1sk: releaseListSk(state),
    state,
  };
}

/** Builds the timeline items of one commit, in order. */
export function timelineItems(
  releaseId: string,
  revision: number,
  entries: readonly TimelineEntry[],
): TimelineItem[] {
  return entries.map((entry, index) => ({
    ...timelineKey(releaseId, revision, index),
    kind: 'timeline',
    releaseId,
    revision,
    entry,
  }));
}

/** Builds an action record item. */
export function actionItem(record: ActionRecord): ActionItem {
  return { ...actionKey(record.releaseId, record.action, record.subject), kind: 'action', record };
}

/** Builds a routing item. */
export function routeItem(routingKey: string, releaseId: string): RouteItem {
  return { ...routeKey(routingKey, releaseId), kind: 'route', routingKey, releaseId };
}

/** Builds a delivery item that expires {@link DELIVERY_TTL_SECONDS} after `nowMs`. */
export function deliveryItem(key: string, nowMs: number): DeliveryItem {
  return {
    ...deliveryKey(key),
    kind: 'delivery',
    expiresAt: Math.floor(nowMs / 1000) + DELIVERY_TTL_SECONDS,
  };
}
