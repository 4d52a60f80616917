/** Placeholder until the schema issue lands the systeminformation-based gatherer. */
export function gatherSystemInfo(_timeoutMs: number): Promise<Record<string, unknown>> {
  return Promise.resolve({ unavailable: 'system information is not gathered yet' });
}
