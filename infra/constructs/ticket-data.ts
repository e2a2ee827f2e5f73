import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { KeyAttribute, TableDesign } from '#shared/adapters/dynamo/table-design.ts';

const attribute = (a: KeyAttribute) => ({
  name: a.name,
  type: a.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

export interface TicketDataProps {
  /** The table design shared with the local runtime (`ticketTable`), so the two cannot drift. */
  design: TableDesign;
}

/**
 * The ticket table: keys, indexes and TTL from the shared design; on-demand; streams with both images
 * for the audit/analytics consumers; point-in-time recovery; encrypted with a customer-managed key
 * that rotates yearly. Table and key are retained when the stack is deleted: the key must outlive the
 * table, or the retained data could never be read again.
 */
export class TicketData extends Construct {
  readonly table: TableV2;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: TicketDataProps) {
    super(scope, id);
    const { design } = props;

    this.key = new Key(this, 'Key', {
      description: `Encrypts the Gongdan ${design.id} table`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new TableV2(this, design.id, {
      partitionKey: attribute(design.partitionKey),
      sortKey: attribute(design.sortKey),
      globalSecondaryIndexes: design.indexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
      })),
      timeToLiveAttribute: design.timeToLiveAttribute,
      billing: Billing.onDemand(),
      dynamoStream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryptionV2.customerManagedKey(this.key),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
