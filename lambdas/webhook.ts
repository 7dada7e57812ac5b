/** Placeholder entry point; the real handler lands with its issue. */
export async function handler(_event: unknown): Promise<never> {
  throw new Error('secrel: the webhook handler is not built yet');
}
