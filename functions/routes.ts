import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import type { Route, RouteDeps } from '#shared/http/route.ts';
import { route as addLink } from './add-link/route.ts';
import { route as addReply } from './add-reply/route.ts';
import { route as addWatcher } from './add-watcher/route.ts';
import { route as approvalLinkDecision } from './approval-link-decision/route.ts';
import { route as approvalLinkPage } from './approval-link-page/route.ts';
import { route as assignTicket } from './assign-ticket/route.ts';
import { route as createAttachment } from './create-attachment/route.ts';
import { route as createChildTicket } from './create-child-ticket/route.ts';
import { route as createTicket } from './create-ticket/route.ts';
import { route as decideApproval } from './decide-approval/route.ts';
import { route as declineJob } from './decline-job/route.ts';
import { route as feedbackPage } from './feedback-page/route.ts';
import { route as feedbackReopen } from './feedback-reopen/route.ts';
import { route as feedbackSubmit } from './feedback-submit/route.ts';
import { route as getApproval } from './get-approval/route.ts';
import { route as getApprovalsConfig } from './get-approvals-config/route.ts';
import { route as getAttachment } from './get-attachment/route.ts';
import { route as getCalendarsConfig } from './get-calendars-config/route.ts';
import { route as getDirectory } from './get-directory/route.ts';
import { route as getHistory } from './get-history/route.ts';
import { route as getOpenApi } from './get-openapi/route.ts';
import { route as getPortalConfig } from './get-portal-config/route.ts';
import { route as getRoutingConfig } from './get-routing-config/route.ts';
import { route as getSlaConfig } from './get-sla-config/route.ts';
import { route as getTicket } from './get-ticket/route.ts';
import { route as listAgents } from './list-agents/route.ts';
import { route as listApprovals } from './list-approvals/route.ts';
import { route as listAttachments } from './list-attachments/route.ts';
import { route as listFieldJobs } from './list-field-jobs/route.ts';
import { route as listMessages } from './list-messages/route.ts';
import { route as listTicketApprovals } from './list-ticket-approvals/route.ts';
import { route as listTickets } from './list-tickets/route.ts';
import { route as mergeTicket } from './merge-ticket/route.ts';
import { route as nudgeApproval } from './nudge-approval/route.ts';
import { route as portalAsset } from './portal-asset/route.ts';
import { route as portalForm } from './portal-form/route.ts';
import { route as portalStatus } from './portal-status/route.ts';
import { route as portalStatusPost } from './portal-status-post/route.ts';
import { route as portalSubmit } from './portal-submit/route.ts';
import { route as putAgent } from './put-agent/route.ts';
import { route as putApprovalsConfig } from './put-approvals-config/route.ts';
import { route as putCalendarsConfig } from './put-calendars-config/route.ts';
import { route as putPortalConfig } from './put-portal-config/route.ts';
import { route as putRoutingConfig } from './put-routing-config/route.ts';
import { route as putSlaConfig } from './put-sla-config/route.ts';
import { route as recordVisit } from './record-visit/route.ts';
import { route as removeLink } from './remove-link/route.ts';
import { route as removeWatcher } from './remove-watcher/route.ts';
import { route as requestApproval } from './request-approval/route.ts';
import { route as setAgentAvailability } from './set-agent-availability/route.ts';
import { route as signOff } from './sign-off/route.ts';
import { route as takeTicket } from './take-ticket/route.ts';
import { route as transitionTicket } from './transition-ticket/route.ts';
import { route as updateTicket } from './update-ticket/route.ts';
import { route as webhook } from './webhook/route.ts';

/**
 * Every HTTP API route. The CDK stack makes one function (entry `functions/<name>/handler.ts`) and one
 * API route per entry; the local runtime serves the same list with the same handlers.
 */
export const apiRoutes = [
  createTicket,
  listTickets,
  getTicket,
  getHistory,
  listMessages,
  transitionTicket,
  addReply,
  assignTicket,
  takeTicket,
  createChildTicket,
  updateTicket,
  putAgent,
  listAgents,
  getDirectory,
  setAgentAvailability,
  getRoutingConfig,
  putRoutingConfig,
  getSlaConfig,
  putSlaConfig,
  getCalendarsConfig,
  putCalendarsConfig,
  portalForm,
  portalSubmit,
  portalStatus,
  portalStatusPost,
  portalAsset,
  getPortalConfig,
  putPortalConfig,
  webhook,
  requestApproval,
  listTicketApprovals,
  getApproval,
  listApprovals,
  decideApproval,
  nudgeApproval,
  getApprovalsConfig,
  putApprovalsConfig,
  getOpenApi,
  approvalLinkPage,
  approvalLinkDecision,
  // Working together on a ticket (docs/collaboration.md).
  addWatcher,
  removeWatcher,
  addLink,
  removeLink,
  mergeTicket,
  listAttachments,
  getAttachment,
  createAttachment,
  // Field service: the engineers' visits (docs/field-service.md).
  listFieldJobs,
  recordVisit,
  signOff,
  declineJob,
  // The closing report's rating link (docs/closing-report.md).
  feedbackPage,
  feedbackSubmit,
  feedbackReopen,
] as unknown as Route<unknown, unknown, ApiRouteDeps>[];

/** What serving every route takes: the API's deps and the channels' (the local runtime has both). */
export type ApiRouteDeps = ChannelTicketDeps & RouteDeps;
