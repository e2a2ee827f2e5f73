import type { ChannelTicketDeps } from '#shared/channels/deps.ts';
import type { InsightStore } from '#shared/domain/analytics/insights.ts';
import type { ExportDeps } from '#shared/domain/export/export.ports.ts';
import type { Route, RouteDeps } from '#shared/http/route.ts';
import type { Customer360Services } from '#shared/use-cases/customer-360.ts';
import type { ImportDeps } from '#shared/use-cases/import-tickets.ts';
import type { ReportsDeps } from '#shared/use-cases/reports.ts';
import type { WebhooksOutDeps } from '#shared/use-cases/webhook-deliveries.ts';
import { route as addLink } from './add-link/route.ts';
import { route as addReply } from './add-reply/route.ts';
import { route as addWatcher } from './add-watcher/route.ts';
import { route as approvalLinkDecision } from './approval-link-decision/route.ts';
import { route as approvalLinkPage } from './approval-link-page/route.ts';
import { route as assignTicket } from './assign-ticket/route.ts';
import { route as checkImport } from './check-import/route.ts';
import { route as commitImport } from './commit-import/route.ts';
import { route as createAttachment } from './create-attachment/route.ts';
import { route as createChildTicket } from './create-child-ticket/route.ts';
import { route as createImport } from './create-import/route.ts';
import { route as createImportUpload } from './create-import-upload/route.ts';
import { route as createTicket } from './create-ticket/route.ts';
import { route as decideApproval } from './decide-approval/route.ts';
import { route as declineJob } from './decline-job/route.ts';
import { route as deleteWebhookSubscription } from './delete-webhook-subscription/route.ts';
import { route as exportTickets } from './export-tickets/route.ts';
import { route as feedbackPage } from './feedback-page/route.ts';
import { route as feedbackReopen } from './feedback-reopen/route.ts';
import { route as feedbackSubmit } from './feedback-submit/route.ts';
import { route as getApproval } from './get-approval/route.ts';
import { route as getApprovalsConfig } from './get-approvals-config/route.ts';
import { route as getAttachment } from './get-attachment/route.ts';
import { route as getCalendarsConfig } from './get-calendars-config/route.ts';
import { route as getConnectorsConfig } from './get-connectors-config/route.ts';
import { route as getCustomer360 } from './get-customer-360/route.ts';
import { route as getDirectory } from './get-directory/route.ts';
import { route as getExport } from './get-export/route.ts';
import { route as getHistory } from './get-history/route.ts';
import { route as getImport } from './get-import/route.ts';
import { route as getImportErrors } from './get-import-errors/route.ts';
import { route as getImportTemplate } from './get-import-template/route.ts';
import { route as getOpenApi } from './get-openapi/route.ts';
import { route as getPortalConfig } from './get-portal-config/route.ts';
import { route as getReportBottlenecks } from './get-report-bottlenecks/route.ts';
import { route as getReportBreakdown } from './get-report-breakdown/route.ts';
import { route as getReportForecast } from './get-report-forecast/route.ts';
import { route as getReportInsights } from './get-report-insights/route.ts';
import { route as getReportKpis } from './get-report-kpis/route.ts';
import { route as getReportLive } from './get-report-live/route.ts';
import { route as getRoutingConfig } from './get-routing-config/route.ts';
import { route as getSlaConfig } from './get-sla-config/route.ts';
import { route as getTicket } from './get-ticket/route.ts';
import { route as getWebhookSubscription } from './get-webhook-subscription/route.ts';
import { route as listAgents } from './list-agents/route.ts';
import { route as listApprovals } from './list-approvals/route.ts';
import { route as listAttachments } from './list-attachments/route.ts';
import { route as listFieldJobs } from './list-field-jobs/route.ts';
import { route as listImportMappings } from './list-import-mappings/route.ts';
import { route as listImports } from './list-imports/route.ts';
import { route as listMessages } from './list-messages/route.ts';
import { route as listTicketApprovals } from './list-ticket-approvals/route.ts';
import { route as listTickets } from './list-tickets/route.ts';
import { route as listWebhookDeliveries } from './list-webhook-deliveries/route.ts';
import { route as listWebhookSubscriptions } from './list-webhook-subscriptions/route.ts';
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
import { route as putConnectorsConfig } from './put-connectors-config/route.ts';
import { route as putCustomerMappings } from './put-customer-mappings/route.ts';
import { route as putImportMapping } from './put-import-mapping/route.ts';
import { route as putPortalConfig } from './put-portal-config/route.ts';
import { route as putRoutingConfig } from './put-routing-config/route.ts';
import { route as putSlaConfig } from './put-sla-config/route.ts';
import { route as putWebhookSubscription } from './put-webhook-subscription/route.ts';
import { route as recordVisit } from './record-visit/route.ts';
import { route as redriveWebhookDeadLetters } from './redrive-webhook-dead-letters/route.ts';
import { route as redriveWebhookDelivery } from './redrive-webhook-delivery/route.ts';
import { route as removeLink } from './remove-link/route.ts';
import { route as removeWatcher } from './remove-watcher/route.ts';
import { route as requestApproval } from './request-approval/route.ts';
import { route as setAgentAvailability } from './set-agent-availability/route.ts';
import { route as signOff } from './sign-off/route.ts';
import { route as startExport } from './start-export/route.ts';
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
  exportTickets,
  startExport,
  getExport,
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
  // Customer 360: the customer in other systems, on the ticket (docs/integrations.md).
  getCustomer360,
  getConnectorsConfig,
  putConnectorsConfig,
  putCustomerMappings,
  // Outbound signed webhooks and their delivery log (docs/integrations.md, "Outbound webhooks").
  listWebhookSubscriptions,
  getWebhookSubscription,
  putWebhookSubscription,
  deleteWebhookSubscription,
  listWebhookDeliveries,
  redriveWebhookDelivery,
  redriveWebhookDeadLetters,
  // Bulk import (docs/import.md, "Running an import"): admin only.
  createImport,
  createImportUpload,
  checkImport,
  commitImport,
  getImportTemplate,
  listImportMappings,
  putImportMapping,
  getImport,
  getImportErrors,
  listImports,
  // Bottlenecks and root-cause drill-down over the analytics lake (docs/analytics.md): supervisor, admin.
  getReportBottlenecks,
  getReportBreakdown,
  // KPIs over the lake and the live board from the table (docs/analytics.md): supervisor, admin.
  getReportKpis,
  getReportLive,
  // Spikes found by the spike job, and the forecast with staffing (docs/analytics.md): supervisor, admin.
  getReportInsights,
  getReportForecast,
] as unknown as Route<unknown, unknown, ApiRouteDeps>[];

/** What serving every route takes: the API's deps and the channels' (the local runtime has both). */
export type ApiRouteDeps = ChannelTicketDeps &
  RouteDeps & { exporting: ExportDeps } & { customer360: Customer360Services } & {
    webhooksOut: WebhooksOutDeps;
  } & { importing: ImportDeps } & { reports: ReportsDeps } & { insights: InsightStore };
