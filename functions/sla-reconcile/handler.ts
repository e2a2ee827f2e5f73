import type { ScheduledEvent } from 'aws-lambda';
import { slaTimerEdges } from '#shared/runtime/aws/timer-edges.ts';
import { lambda, platformWith, ticketDeps } from '#shared/runtime/lambda.ts';
import { wireSlaReconcile } from '#shared/runtime/wire-sla-timer.ts';
import { slaReconcileHandler } from './task.ts';

export const handler = lambda(
  slaReconcileHandler(wireSlaReconcile(process.env, platformWith(slaTimerEdges), ticketDeps())),
  (event: ScheduledEvent) => event.id,
);
