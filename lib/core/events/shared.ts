import * as z from 'zod';

// Loose objects throughout: GitLab adds payload fields often, and an unknown field must never
// turn a delivery into a 400 (four failures in a row disable the hook).

/** The `project` block every payload carries; secrel needs its id and path. */
export const projectSchema = z.looseObject({
  id: z.number().int(),
  path_with_namespace: z.string(),
});

/** The `user` block: whoever caused the event. */
export const userSchema = z.looseObject({
  username: z.string(),
});

/** A label as GitLab sends it in `labels` and `changes.labels`. */
export const labelSchema = z.looseObject({
  title: z.string(),
});

/** Title list of a label array, in payload order. */
export function labelTitles(labels: readonly { readonly title: string }[] | null | undefined): string[] {
  return (labels ?? []).map((label) => label.title);
}
