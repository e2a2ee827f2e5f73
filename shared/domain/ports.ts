/** Ports the use cases need; adapters in `shared/adapters` implement them with AWS SDK clients. */

export interface Clock {
  /** Now, on the system's clock (virtual and scaled in the local runtime, real in AWS). */
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, time-sortable id. */
  next(): string;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}
