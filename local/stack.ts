import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ReconcileReport } from '../shared/ingest/reconcile.ts';
import { type LocalEndpoints, localAwsEnvironment, localClients } from './aws-clients.ts';
import { LOCK_FILE, lockDataDir } from './data-lock.ts';
import { startDynamoDb } from './emulators/dynamodb.ts';
import { startFauxqs } from './emulators/fauxqs.ts';
import { ActivityTracker } from './glue/activity.ts';
import { FailingMessages } from './glue/failing-messages.ts';
import { releaseKilledRunsClaims } from './glue/killed-run-claims.ts';
import { LambdaRunner } from './glue/lambda-runner.ts';
import { S3NotificationDelivery } from './glue/s3-notifications.ts';
import { ScheduleRunner } from './glue/schedules.ts';
import { StepFunctionsEngine } from './glue/sfn/engine.ts';
import { startSfnEndpoint } from './glue/sfn/http-endpoint.ts';
import { TaskTokenRegistry } from './glue/sfn/task-tokens.ts';
import { SqsEventSource } from './glue/sqs-event-source.ts';
import { sweepOnStart } from './glue/startup-sweep.ts';
import { queueCounts } from './queue-depth.ts';
import { loadTemplates } from './template/cfn-template.ts';
import { TemplateResolver } from './template/intrinsics.ts';
import {
  createBuckets,
  createQueues,
  createTables,
  createTopicsAndSubscriptions,
} from './template/provision.ts';
import type { LocalWiring } from './template/wiring.ts';
import { readWiring } from './template/wiring.ts';

export interface LocalStackOptions {
  /** one synthesized template, or several `{ stackName, template }` (cross-stack Fn::ImportValue works) */
  template: unknown;
  /** where S3 objects, DynamoDB data, queue messages and executions live; default `<repoRoot>/.data` */
  dataDir?: string;
  /** wipe the data folder first */
  fresh?: boolean;
  /** handler modules (`traceguard:entry`) are resolved from here; default the current directory */
  repoRoot?: string;
  region?: string;
  /** glue errors (a handler throwing is normal and also reported here); default: console.error */
  onError?: (error: unknown) => void;
  /** write each function's output to `<functionLogDir>/<function>.log` (default: this process's stdout) */
  functionLogDir?: string;
  /** each step of the start as it ends (the emulators, the resources, the sweep...), for a person waiting */
  onProgress?: (step: string) => void;
  /** divide schedule periods by this (tests); default 1 */
  scheduleTimeScale?: number;
  /**
   * Endpoints the handlers use instead of the emulators' own (tests put a fault-injecting proxy in
   * front of DynamoDB or SNS for the functions only; glue, CLI and tests keep the real endpoints).
   */
  handlerEndpoints?: (
    emulators: LocalEndpoints,
  ) => Promise<Partial<LocalEndpoints>> | Partial<LocalEndpoints>;
}

export interface LocalResource {
  type: string;
  /** bucket, queue, topic, table, function or state machine name */
  name: string;
  /** what `Ref` returns (queue URL, topic ARN, table name...) */
  ref: string;
  arn?: string;
  url?: string;
}

export interface LocalStack {
  endpoints: LocalEndpoints;
  /** AWS_ENDPOINT_URL_* for every service, AWS_REGION and fake credentials */
  env: Record<string, string>;
  /** logical ID -> physical resource */
  resources: Record<string, LocalResource>;
  /** the template's Outputs, resolved (CdrBucketName, TracebackQueueUrl, ...) */
  outputs: Record<string, string>;
  /**
   * what a CLI in another shell needs: the AWS endpoints plus every resource variable the handlers
   * get (docs/wiring.md names). Also written to `<dataDir>/endpoints.json` as `{ env }`.
   */
  cliEnv: Record<string, string>;
  wiring: LocalWiring;
  lambda: LambdaRunner;
  stepFunctions: StepFunctionsEngine;
  tokens: TaskTokenRegistry;
  schedules: ScheduleRunner;
  /** what the reconciliation sweep found on start (null when the template has no sweep function) */
  startupSweep: ReconcileReport | null;
  /** pid of the DynamoDB Local java process (tests check it is gone after stop) */
  childPids: number[];
  /**
   * resolves when every consumed queue is empty and no handler, delivery or execution step is running;
   * with `exceptRetrying`, messages whose handler failed (in this run or an earlier one) and that wait
   * out their visibility timeout before SQS retries them do not count (retrying() counts them)
   */
  waitForIdle(options?: { timeoutMs?: number; exceptRetrying?: boolean }): Promise<void>;
  /**
   * messages received and not deleted, when no handler runs: their handler failed (in this run or an
   * earlier one) and they wait for SQS to deliver them again
   */
  retrying(): Promise<number>;
  /** the messages whose delivery failed in this run and not since, by function and error kind */
  failing: FailingMessages;
  stop(): Promise<void>;
}

/** Only harmless parts of the caller's environment reach handlers; AWS settings come from the stack. */
function passthroughEnvironment(): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'TZ',
    'LANG',
    'TMPDIR',
    'POWERTOOLS_DEV',
    'POWERTOOLS_LOG_LEVEL',
    'LOG_LEVEL',
  ];
  return Object.fromEntries(
    keep.filter((key) => process.env[key]).map((key) => [key, String(process.env[key])]),
  );
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.repoRoot ?? process.cwd(), options.dataDir ?? '.data');
  // first of all, before anything in the folder is wiped or written: one stack per data folder
  const unlock = lockDataDir(dataDir);
  try {
    if (options.fresh)
      for (const entry of readdirSync(dataDir))
        if (entry !== LOCK_FILE) rmSync(join(dataDir, entry), { recursive: true, force: true });
    return await startLocked(options, dataDir, unlock);
  } catch (error) {
    unlock();
    throw error;
  }
}

async function startLocked(
  options: LocalStackOptions,
  dataDir: string,
  unlock: () => void,
): Promise<LocalStack> {
  const repoRoot = resolve(options.repoRoot ?? process.cwd());
  const region = options.region ?? 'us-east-1';
  const onError = options.onError ?? ((error: unknown) => console.error('[local]', error));
  const templates = loadTemplates(options.template);

  const activity = new ActivityTracker();
  const tokens = new TaskTokenRegistry();
  let delivery: S3NotificationDelivery | undefined;
  let engine: StepFunctionsEngine | undefined;
  const [fauxqsStart, dynamodbStart] = await Promise.allSettled([
    startFauxqs({ dataDir, region, onObjectCreated: (event) => delivery?.objectCreated(event) }),
    startDynamoDb({ dataDir }),
  ]);
  if (fauxqsStart.status === 'rejected' || dynamodbStart.status === 'rejected') {
    if (fauxqsStart.status === 'fulfilled') await fauxqsStart.value.stop();
    if (dynamodbStart.status === 'fulfilled') await dynamodbStart.value.stop();
    throw fauxqsStart.status === 'rejected'
      ? fauxqsStart.reason
      : (dynamodbStart as PromiseRejectedResult).reason;
  }
  const fauxqs = fauxqsStart.value;
  const dynamodb = dynamodbStart.value;
  const progress = options.onProgress ?? (() => {});
  progress('emulators started (S3, SQS and SNS in this process; DynamoDB Local in Java)');
  // run in reverse: the lock is released last, once nothing of this stack runs on the folder
  const cleanups: Array<() => Promise<void> | void> = [unlock, () => dynamodb.stop(), () => fauxqs.stop()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        onError(error);
      }
    }
    cleanups.length = 0;
  };
  try {
    const sfnEndpoint = await startSfnEndpoint(() => {
      if (!engine) throw new Error('Step Functions engine is still starting');
      return engine;
    }, tokens);
    cleanups.push(() => sfnEndpoint.close());
    const endpoints: LocalEndpoints = {
      s3: fauxqs.endpoint,
      sqs: fauxqs.endpoint,
      sns: fauxqs.endpoint,
      dynamodb: dynamodb.endpoint,
      sfn: sfnEndpoint.endpoint,
    };
    const env = localAwsEnvironment(endpoints, region);
    const clients = localClients(endpoints, region);
    cleanups.push(() => clients.destroy());

    const queueUrls = new Map<string, string>();
    const resolver = new TemplateResolver(templates, region, queueUrls);
    await createBuckets(resolver, clients);
    for (const [name, url] of await createQueues(resolver, clients)) queueUrls.set(name, url);
    await createTopicsAndSubscriptions(resolver, clients);
    await createTables(resolver, clients);
    const restored = fauxqs.restoreMessages();
    progress(`resources created from the template; ${restored} queued message(s) restored from the journal`);

    const wiring = readWiring(resolver);
    // before any handler runs: every claim in the tables now is a killed run's
    const released = await releaseKilledRunsClaims(wiring, clients);
    if (released > 0)
      progress(
        `${released} publish claim(s) left by the previous run (killed mid-ingest) given back, so its batches publish at once`,
      );
    const queueUrlForArn = (arn: string) => {
      const url = queueUrls.get(arn.slice(arn.lastIndexOf(':') + 1));
      if (!url) throw new Error(`no queue in the template has ARN ${arn}`);
      return url;
    };
    const handlerEnv = options.handlerEndpoints
      ? localAwsEnvironment({ ...endpoints, ...(await options.handlerEndpoints(endpoints)) }, region)
      : env;
    const lambda = new LambdaRunner({
      functions: wiring.functions,
      repoRoot,
      baseEnv: { ...passthroughEnvironment(), ...handlerEnv },
      activity,
      logDir: options.functionLogDir,
    });
    cleanups.push(() => lambda.stop());

    delivery = new S3NotificationDelivery({
      clients,
      region,
      activity,
      queueUrlForArn,
      lambda: () => lambda,
      onError,
    });
    delivery.configure(wiring.notifications);
    await delivery.sendTestEvents(join(dataDir, 's3-test-events-sent.json'));

    engine = new StepFunctionsEngine({
      stateMachines: wiring.stateMachines,
      integrations: { lambda, clients },
      tokens,
      activity,
      region,
      recordsFile: join(dataDir, 'sfn', 'executions.json'),
    });
    const stepFunctions = engine;
    cleanups.push(() => stepFunctions.shutdown());
    stepFunctions.resumeRunning();

    const failing = new FailingMessages();
    const sources = wiring.eventSourceMappings.map((spec) => {
      if (!lambda.find(spec.functionName)) {
        onError(
          new Error(`${spec.logicalId}: function ${spec.functionName} has no traceguard:entry; not polled`),
        );
      }
      return new SqsEventSource(spec, {
        clients,
        queueUrl: queueUrlForArn(spec.queueArn),
        region,
        lambda,
        activity,
        onError,
        failing,
      });
    });
    for (const source of sources) source.start();
    cleanups.push(() => Promise.all(sources.map((source) => source.stop())).then(() => {}));

    const startupSweep = await sweepOnStart(wiring, lambda, progress);

    const schedules = new ScheduleRunner(wiring.schedules, {
      lambda,
      region,
      onError,
      timeScale: options.scheduleTimeScale,
    });
    schedules.start();
    cleanups.push(() => schedules.stop());

    const resources: Record<string, LocalResource> = {};
    for (const logicalId of templates.resources.keys()) {
      const identity = resolver.identity(logicalId);
      resources[logicalId] = {
        type: identity.type,
        name: identity.physicalName,
        ref: identity.ref,
        arn: identity.attributes.Arn ?? identity.attributes.TopicArn,
        url: identity.attributes.QueueUrl,
      };
    }

    const outputs: Record<string, string> = {};
    for (const o of templates.allOutputs)
      outputs[o.name] = String(resolver.resolve(o.value, o.path, o.stackName));
    const cliEnv: Record<string, string> = {};
    for (const fn of wiring.functions) {
      for (const [k, v] of Object.entries(fn.environment))
        if (/^[A-Z0-9_]+$/.test(k) && !k.startsWith('POWERTOOLS') && k !== 'NODE_OPTIONS') cliEnv[k] = v;
    }
    if (outputs.TracebackQueueUrl) cliEnv.TRACEBACK_QUEUE_URL = outputs.TracebackQueueUrl;
    Object.assign(cliEnv, env);
    writeFileSync(join(dataDir, 'endpoints.json'), `${JSON.stringify({ env: cliEnv, outputs }, null, 2)}\n`);

    const consumedQueues = [
      ...new Set(wiring.eventSourceMappings.filter((s) => s.enabled).map((s) => s.queueArn)),
    ].map(queueUrlForArn);
    /** what keeps the stack busy (a queue with messages, a running handler or step), or null when idle */
    const busyWith = async (exceptRetrying: boolean): Promise<string | null> => {
      if (activity.busy) return 'a handler or delivery is running';
      if (stepFunctions.busy) return 'an execution is running a step';
      for (const url of consumedQueues) {
        const { waiting, inFlight, delayed } = await queueCounts(clients.sqs, url);
        // nothing runs here (checked above), so a message in flight is one a handler failed on (in this
        // run or one before it): it waits out its visibility timeout for SQS to retry it
        const pending = waiting + delayed + (exceptRetrying ? 0 : inFlight);
        if (pending > 0) return `${pending} message(s) in ${url.slice(url.lastIndexOf('/') + 1)}`;
      }
      return null;
    };

    let stopping: Promise<void> | undefined;
    return {
      endpoints,
      env,
      resources,
      outputs,
      cliEnv,
      wiring,
      lambda,
      stepFunctions,
      tokens,
      schedules,
      startupSweep,
      childPids: [dynamodb.pid],
      failing,
      async retrying() {
        let n = 0;
        for (const url of consumedQueues) n += (await queueCounts(clients.sqs, url)).inFlight;
        return n;
      },
      async waitForIdle({ timeoutMs = 30_000, exceptRetrying = false } = {}) {
        const deadline = Date.now() + timeoutMs;
        let idleChecks = 0;
        let busy: string | null = null;
        // two idle observations in a row: a message between delete and the next handler's send is not idle
        while (idleChecks < 2) {
          if (Date.now() > deadline) throw new Error(`local stack not idle after ${timeoutMs} ms: ${busy}`);
          busy = await busyWith(exceptRetrying);
          idleChecks = busy === null ? idleChecks + 1 : 0;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      stop() {
        stopping ??= stopAll();
        return stopping;
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
