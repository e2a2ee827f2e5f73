/** Reads a required environment variable, failing the cold start (not a request) when it is missing. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** An optional environment variable; empty counts as unset. */
export const optionalEnv = (name: string) => process.env[name] || undefined;
