import type { Breaker } from './circuit-breaker.ts';
import type { AttemptOutcome, Delivery, DeliveryStatus } from './delivery.ts';
import type { Subscription } from './subscription.ts';

/** The subscriptions, one item each; written on condition of the version read. */
export interface SubscriptionStore {
  get(name: string): Promise<Subscription | null>;
  list(): Promise<Subscription[]>;
  /** Writes `next`; false when the stored version is not `expectedVersion` (0: must not exist). */
  put(next: Subscription, expectedVersion: number): Promise<boolean>;
  delete(name: string): Promise<void>;
}

export interface DeliveryPage {
  items: Delivery[];
  cursor?: string;
}

/** Deliveries and their attempts; every change is conditional on the version read. */
export interface DeliveryStore {
  /** Creates it unless a delivery with its id exists (a replayed event): true when created. */
  create(delivery: Delivery): Promise<boolean>;
  get(subscription: string, id: string): Promise<Delivery | null>;
  /** Replaces it if still at `expectedVersion`; false otherwise (someone else moved it). */
  save(next: Delivery, expectedVersion: number): Promise<boolean>;
  /** Newest first; `status` filters. */
  list(
    subscription: string,
    options: { status?: DeliveryStatus; limit: number; cursor?: string },
  ): Promise<DeliveryPage>;
  /** Pending deliveries due at or before `now`, oldest due first (every subscription). */
  due(now: Date, limit: number): Promise<Delivery[]>;
  /** Dead deliveries of one subscription. */
  dead(subscription: string, limit: number): Promise<Delivery[]>;
  /** Takes the delivery for one attempt until `until`; false when someone else holds it or it moved. */
  lease(delivery: Delivery, until: Date, now: Date): Promise<boolean>;
}

export interface BreakerStore {
  get(endpoint: string): Promise<Breaker>;
  /** Writes `next` if the stored one is still at `expectedVersion` (0: none stored); false otherwise. */
  put(endpoint: string, next: Breaker, expectedVersion: number): Promise<boolean>;
}

/**
 * Where signing secrets are kept, out of the table: Secrets Manager in AWS, a file only the runtime's
 * user can read locally. The table keeps only the reference and a hint.
 */
export interface SubscriptionSecrets {
  /** Stores the secret for a subscription; returns the reference to keep. */
  put(subscription: string, secret: string): Promise<string>;
  get(ref: string): Promise<string>;
  delete(ref: string): Promise<void>;
}

export interface SignedPost {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** Makes one HTTP POST; never throws for a network problem or timeout (they are outcomes). */
export interface WebhookSender {
  post(request: SignedPost): Promise<AttemptOutcome>;
}
