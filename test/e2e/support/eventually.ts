/** Polls `check` every `everyMs` until it returns a value, or fails after `ms` of real time. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  ms: number,
  everyMs = 200,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
