import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { approvalTimerComment, buildApprovalTimerDefinition } from '#workflows/approval-timer.ts';
import { functionEntry } from '../bundling.ts';
import { GongdanFunction, type ObservabilitySettings, type TableBinding } from './gongdan-function.ts';
import { timerStateMachine } from './timer-machine.ts';

export interface ApprovalTimerProps {
  tickets: TableBinding;
  /** Where the state machine puts `approval.timer_failed`. */
  bus: IEventBus;
  logRetention: RetentionDays;
  observability: ObservabilitySettings;
  /** The API's URL: the delegate's e-mail carries a one-time decision link under it. */
  linkBase: string;
}

/**
 * The approval timer (docs/collaboration.md, "Delegation"): the two task Lambdas and the Standard state
 * machine built from `buildApprovalTimerDefinition` — the definition the local runtime synthesizes and
 * runs. ComputeDelegationDeadline only reads the table; DelegateOverdueApprovers replaces overdue
 * approvers through the ticket's write path (the dispatcher sends what follows), so it has the table and
 * nothing else.
 */
export class ApprovalTimer extends Construct {
  readonly deadline: GongdanFunction;
  readonly delegate: GongdanFunction;
  readonly stateMachine: StateMachine;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApprovalTimerProps) {
    super(scope, id);
    const make = (name: string, entry: string, description: string, access: 'read' | 'write') =>
      new GongdanFunction(this, name, {
        entry: functionEntry(entry),
        kind: 'approvalTimer',
        description,
        logRetention: props.logRetention,
        observability: props.observability,
        timeout: Duration.seconds(20),
      }).bindTable(props.tickets, access);
    this.deadline = make(
      'Deadline',
      'approval-deadline',
      'Approval timer: when does the next approver run out of time?',
      'read',
    );
    this.delegate = make(
      'Delegate',
      'approval-delegate',
      'Approval timer: hand overdue approvers’ decisions to their delegates',
      'write',
    ).setEnvironment({ approvalLinkBase: props.linkBase });
    ({ stateMachine: this.stateMachine, logGroup: this.logGroup } = timerStateMachine(this, {
      comment: approvalTimerComment,
      definition: buildApprovalTimerDefinition(this, {
        deadlineFunction: this.deadline,
        delegateFunction: this.delegate,
        alertBus: props.bus,
      }),
      tasks: [this.deadline, this.delegate],
      logRetention: props.logRetention,
    }));
  }
}
