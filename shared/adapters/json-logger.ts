import type { Logger } from '../domain/ports.ts';

/**
 * Structured JSON lines to stdout (CloudWatch in AWS). Callers pass ids and decisions, never message
 * bodies or whole events: those may hold customer PII.
 */
export function jsonLogger(
  base: Record<string, unknown> = {},
  write = (line: string) => console.log(line),
): Logger {
  const emit = (level: string, message: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ level, message, time: new Date().toISOString(), ...base, ...fields }));
  return {
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  };
}

/** A logger that drops everything (tests, benches). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
