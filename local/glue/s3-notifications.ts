import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../aws-clients.ts';
import type { BucketNotificationSpec } from '../template/wiring.ts';
import type { ActivityTracker } from './activity.ts';
import type { LambdaRunner } from './lambda-runner.ts';
import { type CreatedObject, s3EventMessage, s3TestEventMessage } from './s3-event-record.ts';

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; exact names match themselves. */
export function eventMatches(pattern: string, eventName: string): boolean {
  const wanted = pattern.replace(/^s3:/, '');
  return wanted.endsWith(':*') ? eventName.startsWith(wanted.slice(0, -1)) : wanted === eventName;
}

export function notificationMatches(spec: BucketNotificationSpec, object: CreatedObject): boolean {
  return (
    spec.bucket === object.bucket &&
    spec.events.some((pattern) => eventMatches(pattern, object.eventName)) &&
    object.key.startsWith(spec.prefix ?? '') &&
    object.key.endsWith(spec.suffix ?? '')
  );
}

/**
 * Delivers S3 event notifications, which fauxqs accepts as configuration but never sends: called by
 * the persistent S3 store for every created object, it sends the real event record to each matching
 * queue, topic or function.
 */
export class S3NotificationDelivery {
  private specs: BucketNotificationSpec[] = [];
  private readonly options: {
    clients: LocalClients;
    region: string;
    activity: ActivityTracker;
    queueUrlForArn(arn: string): string;
    lambda(): LambdaRunner | undefined;
    onError(error: unknown): void;
  };

  constructor(options: S3NotificationDelivery['options']) {
    this.options = options;
  }

  configure(specs: BucketNotificationSpec[]): void {
    this.specs = specs;
  }

  /** Sends `s3:TestEvent` once per (bucket, target), remembered in `markerFile` across restarts. */
  async sendTestEvents(markerFile: string): Promise<void> {
    const sent = new Set<string>(existsSync(markerFile) ? JSON.parse(readFileSync(markerFile, 'utf8')) : []);
    for (const spec of this.specs) {
      const id = `${spec.bucket} -> ${spec.target.arn}`;
      if (sent.has(id) || spec.target.kind === 'function') continue;
      await this.send(spec, JSON.stringify(s3TestEventMessage(spec.bucket)));
      sent.add(id);
    }
    writeFileSync(markerFile, JSON.stringify([...sent]));
  }

  /**
   * No versionId, even for a versioned bucket: fauxqs keeps no versions, so an id it cannot serve back
   * (on GetObject or HeadObject) would name a batch that the reconciliation sweep can never find.
   * Batches are then identified by their ETag, as in an unversioned bucket.
   */
  objectCreated(event: Omit<CreatedObject, 'versionId'>): void {
    const object: CreatedObject = event;
    this.specs.forEach((spec, index) => {
      if (!notificationMatches(spec, object)) return;
      const message = s3EventMessage(object, this.options.region, `local-notification-${index}`);
      this.options.activity
        .track(() => this.send(spec, JSON.stringify(message), message))
        .catch((error) => this.options.onError(error));
    });
  }

  private async send(spec: BucketNotificationSpec, body: string, event?: unknown): Promise<void> {
    const { clients } = this.options;
    switch (spec.target.kind) {
      case 'queue':
        await clients.sqs.send(
          new SendMessageCommand({
            QueueUrl: this.options.queueUrlForArn(spec.target.arn),
            MessageBody: body,
          }),
        );
        return;
      case 'topic':
        await clients.sns.send(
          new PublishCommand({ TopicArn: spec.target.arn, Message: body, Subject: 'Amazon S3 Notification' }),
        );
        return;
      case 'function': {
        const runner = this.options.lambda();
        if (runner && event) await runner.invoke(spec.target.arn, event);
        return;
      }
    }
  }
}
