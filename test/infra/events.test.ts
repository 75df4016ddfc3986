import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIRST_RECORD_GRACE_MS } from '../../shared/cases/verify-audit.ts';
import { type CfnResource, logicalIdOf, resourcesOfType, synthTraceguard } from './synth.ts';

let synth: ReturnType<typeof synthTraceguard>;
beforeAll(() => {
  synth = synthTraceguard();
});

const resource = (id: string): CfnResource => synth.template.toJSON().Resources[id];
const queueId = (name: string) =>
  logicalIdOf(synth.template, 'AWS::SQS::Queue', new RegExp(`${name}Queue[0-9A-F]{8}$`));
const dlqId = (name: string) => logicalIdOf(synth.template, 'AWS::SQS::Queue', `${name}QueueDlq`);
const topicId = (name: string) => logicalIdOf(synth.template, 'AWS::SNS::Topic', name);

const WORK_QUEUES = ['Ingest', 'Alert', 'Escalation', 'Audit', 'Traceback'];

describe('queues', () => {
  // plus one dead-letter queue per SNS subscription (Alert, Escalation, Audit), the audit export
  // schedule's, and one per scheduled function (day review, traceback deadlines, track record,
  // reconcile)
  it('has the five work queues of the design, each with its own DLQ, and the delivery DLQs, nothing else', () => {
    expect(resourcesOfType(synth.template, 'AWS::SQS::Queue')).toHaveLength(
      2 * WORK_QUEUES.length + 3 + 1 + 4,
    );
  });

  it.each(WORK_QUEUES)('%sQueue: messaging-key encrypted, DLQ after exactly 5 receives', (name) => {
    const messagingKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'MessagingKey');
    for (const id of [queueId(name), dlqId(name)]) {
      expect(resource(id).Properties!.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [messagingKey, 'Arn'] });
    }
    expect(resource(queueId(name)).Properties!.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(name), 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  it.each(WORK_QUEUES)('%sQueue and its DLQ refuse requests not made over TLS', (name) => {
    for (const id of [queueId(name), dlqId(name)]) {
      synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('every queue with an event source has visibility >= 6x its function timeout', () => {
    const mappings = resourcesOfType(synth.template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings.length).toBeGreaterThanOrEqual(4);
    for (const [, mapping] of mappings) {
      const queue = resource(mapping.Properties!.EventSourceArn['Fn::GetAtt'][0]);
      const fn = resource(mapping.Properties!.FunctionName.Ref);
      expect(queue.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties!.Timeout);
    }
    // and the ingest function's 5 minutes in particular: 30 minutes
    expect(resource(queueId('Ingest')).Properties!.VisibilityTimeout).toBe(1800);
    // the EscalationQueue's, which `audit verify` waits for a new case's first record (FIRST_RECORD_GRACE_MS)
    expect(resource(queueId('Escalation')).Properties!.VisibilityTimeout).toBe(FIRST_RECORD_GRACE_MS / 1000);
  });
});

describe('ComplianceEvents fan-out (docs/wiring.md)', () => {
  it('encrypts both topics with the messaging key and denies publishing without TLS', () => {
    const messagingKey = logicalIdOf(synth.template, 'AWS::KMS::Key', 'MessagingKey');
    for (const name of ['ComplianceEvents', 'OnCallTopic']) {
      expect(resource(topicId(name)).Properties!.KmsMasterKeyId).toEqual({
        'Fn::GetAtt': [messagingKey, 'Arn'],
      });
      synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId(name) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  const subscriptionTo = (queue: string): CfnResource => {
    const found = resourcesOfType(synth.template, 'AWS::SNS::Subscription').filter(
      ([, s]) => s.Properties!.Endpoint?.['Fn::GetAtt']?.[0] === queueId(queue),
    );
    expect(found).toHaveLength(1);
    return found[0][1];
  };

  it('AlertQueue: raw delivery, severity_rank >= 2', () => {
    const { Properties } = subscriptionTo('Alert');
    expect(Properties).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { Ref: topicId('ComplianceEvents') },
    });
    expect(Properties!.FilterPolicy).toEqual({ severity_rank: [{ numeric: ['>=', 2] }] });
    expect(Properties!.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
  });

  it('EscalationQueue: raw delivery, severity_rank >= 3 OR type = traceback', () => {
    const { Properties } = subscriptionTo('Escalation');
    expect(Properties).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { Ref: topicId('ComplianceEvents') },
    });
    expect(Properties!.FilterPolicy).toEqual({
      $or: [{ severity_rank: [{ numeric: ['>=', 3] }] }, { type: ['traceback'] }],
    });
    expect(Properties!.FilterPolicyScope ?? 'MessageAttributes').toBe('MessageAttributes');
  });

  it('AuditQueue: raw delivery, no filter (everything is audited)', () => {
    const { Properties } = subscriptionTo('Audit');
    expect(Properties).toMatchObject({
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { Ref: topicId('ComplianceEvents') },
    });
    expect(Properties!.FilterPolicy).toBeUndefined();
  });

  it('subscribes alertEmail to the OnCallTopic only when configured', () => {
    const emails = (s: ReturnType<typeof synthTraceguard>) =>
      resourcesOfType(s.template, 'AWS::SNS::Subscription').filter(
        ([, r]) => r.Properties!.Protocol === 'email',
      );
    expect(emails(synth)).toHaveLength(0);
    const withEmail = synthTraceguard({ alertEmail: 'noc@carrier.example' });
    const [[, subscription]] = emails(withEmail);
    expect(subscription.Properties).toMatchObject({
      Endpoint: 'noc@carrier.example',
      TopicArn: { Ref: logicalIdOf(withEmail.template, 'AWS::SNS::Topic', 'OnCallTopic') },
    });
  });
});

describe('CDR arrival', () => {
  it('sends ObjectCreated events under cdr/ of the CDR bucket to the IngestQueue', () => {
    synth.template.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: logicalIdOf(synth.template, 'AWS::S3::Bucket', 'CdrBucket') },
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            QueueArn: { 'Fn::GetAtt': [queueId('Ingest'), 'Arn'] },
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'cdr/' }] } },
          },
        ],
      },
    });
    expect(synth.template.findResources('Custom::S3BucketNotifications')).toSatisfy(
      (found: object) => Object.keys(found).length === 1,
    );
  });

  it('lets only the CDR bucket send to the IngestQueue', () => {
    synth.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId('Ingest') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 's3.amazonaws.com' },
            Condition: {
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::GetAtt': [logicalIdOf(synth.template, 'AWS::S3::Bucket', 'CdrBucket'), 'Arn'],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});
