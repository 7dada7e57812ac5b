/** Placeholder entry point; the real handler lands with its issue. */
export async function handler(_event: unknown): Promise<never> {
  throw new Error('secrel: the actions handler is not built yet');
}
