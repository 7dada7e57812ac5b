import type * as z from 'zod';
import { PayloadRejectedError } from './errors.js';

/**
 * Validates a webhook body against its schema and returns the parsed value, or throws
 * {@link PayloadRejectedError} naming the first failing field. Reasons are built from the schema
 * (expected types and values) and the JSON type found, never from the payload's values.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  eventHeader: string,
  body: unknown,
): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw new PayloadRejectedError(eventHeader, '(root)', 'invalid payload');
  throw new PayloadRejectedError(
    eventHeader,
    fieldPath(issue.path),
    reasonFor(issue, valueAt(body, issue.path)),
  );
}

/** `object_attributes.labels[0].title`; `(root)` for the body itself. */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(root)' : text;
}

function reasonFor(issue: z.core.$ZodIssue, found: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, received ${jsonType(found)}`;
    case 'invalid_value':
      // The allowed values come from the schema (states, object kinds), not from the payload.
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'custom':
      return issue.message;
    case 'too_small':
    case 'too_big':
      return `${issue.code.replace('_', ' ')} (${issue.origin})`;
    default:
      return issue.code.replaceAll('_', ' ');
  }
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let current = body;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function jsonType(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
