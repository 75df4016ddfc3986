import { randomBytes, randomUUID } from 'node:crypto';

import { encodeS3Key } from '../../shared/ingest/messages.ts';

let sequence = 0n;

/** Hex sequencer that grows with every event, like S3's per-key ordering token. */
function nextSequencer(): string {
  sequence++;
  return (BigInt(Date.now()) * 1_000_000n + sequence).toString(16).toUpperCase().padStart(18, '0');
}

export interface CreatedObject {
  bucket: string;
  key: string;
  size: number;
  /** with or without the quotes S3 puts around it in HTTP headers */
  eTag: string;
  eventName: string;
  versionId?: string;
}

/** One S3 event notification message (eventVersion 2.1), as S3 sends it to SQS, SNS or Lambda. */
export function s3EventMessage(object: CreatedObject, region: string, configurationId: string) {
  const s3Object: Record<string, unknown> = {
    key: encodeS3Key(object.key),
    size: object.size,
    eTag: object.eTag.replaceAll('"', ''),
    sequencer: nextSequencer(),
  };
  if (object.versionId) s3Object.versionId = object.versionId;
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: object.eventName,
        userIdentity: { principalId: 'AWS:LOCALTRACEGUARD' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
          'x-amz-id-2': randomBytes(48).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: object.bucket,
            ownerIdentity: { principalId: 'LOCALTRACEGUARD' },
            arn: `arn:aws:s3:::${object.bucket}`,
          },
          object: s3Object,
        },
      },
    ],
  };
}

/** The message S3 sends once when a notification configuration is put on a bucket. */
export function s3TestEventMessage(bucket: string) {
  return {
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: new Date().toISOString(),
    Bucket: bucket,
    RequestId: randomUUID().replaceAll('-', '').slice(0, 16).toUpperCase(),
    HostId: randomBytes(48).toString('base64'),
  };
}
