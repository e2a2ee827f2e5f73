import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * The condition of a versioned put: the item must not exist yet when the caller read none (version 0),
 * else it must still hold the version the caller read.
 */
export const versionCondition = (expectedVersion: number) =>
  expectedVersion === 0
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':expected': expectedVersion },
      };

/** Makes a conditional write: true when it applied, false when its condition failed (someone wrote first). */
export async function writeIf(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
