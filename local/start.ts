import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import cliProgress from 'cli-progress';
import { DynamoCaseStore } from '../shared/aws/cases-store.ts';
import { DynamoTracebackStore } from '../shared/aws/traceback-store.ts';
import { maskPhoneNumbers } from '../shared/privacy/mask-numbers.ts';
import { LOCAL_CREDENTIALS } from './aws-clients.ts';
import { DataDirLockedError, liveHolder } from './data-lock.ts';
import { runDayReviewOnce } from './demo/day-review.ts';
import { runOnboardingDemo } from './demo/onboarding.ts';
import { renderReport } from './demo/report.ts';
import {
  ensureSample,
  importReference,
  type SeedTargets,
  submitTracebacks,
  uploadBatches,
} from './demo/seed-sample.ts';
import { drainTap, type Tap, tapTopic } from './demo/taps.ts';
import { runTrackRecordOnce } from './demo/track-record.ts';
import { errorInFull } from './glue/error-chain.ts';
import { failingLines } from './glue/failing-messages.ts';
import { handlerFailureReasons } from './glue/handler-failure.ts';
import { startupSweepLines } from './glue/startup-sweep.ts';
import { queueDepth } from './queue-depth.ts';
import { startLocalStack } from './stack.ts';
import { parseStartOptions } from './start-options.ts';
import { synthesizeTemplate } from './template/synthesize.ts';

/**
 * `npm start [-- --fresh] [--data-dir DIR] [--once] [--no-sample]`: synthesizes the Traceguard app,
 * starts the local stack, and (once per data folder) drops the sample day into the CDR bucket as the
 * switches would, loads the reference data and submits the day's traceback requests. It then shows
 * the findings, the alerts on-call received, the open cases and the traceback answers. `--once` stops
 * there; otherwise it stays up, printing new findings and alerts as they come, until Ctrl-C.
 */
const options = parseStartOptions(process.argv.slice(2));

const say = (text: string) => process.stderr.write(`${text}\n`);
const repoRoot = process.cwd();
const dataDir = resolve(repoRoot, options.dataDir);
// refused before the synthesis (seconds) when another stack runs on the folder; the stack takes the lock
const holder = liveHolder(dataDir);
if (holder !== null) refuse(new DataDirLockedError(dataDir, holder));
say(
  'traceguard: synthesizing the CDK app (loads aws-cdk-lib and builds every construct in this process; seconds, minutes on a busy machine)...',
);
const startedAt = Date.now();
/** each step of the start with the seconds since it began, so a slow start says what it waits on */
const step = (text: string) => say(`traceguard: ${text} (${Math.round((Date.now() - startedAt) / 1000)} s)`);
const template = await synthesizeTemplate(repoRoot);
step('CDK app synthesized; starting the local emulators');
const logDir = join(dataDir, 'logs');
let glueErrors = 0;
/** set at Ctrl-C: the emulators go down under the handlers still running */
let stopping = false;
/** handler runs the stop cut short: not failures, their messages come again on the next start */
let cutShort = 0;
const stack = await startLocalStack({
  template,
  dataDir,
  fresh: options.fresh, // wiped by the stack once it holds the folder's lock
  repoRoot,
  functionLogDir: logDir,
  onProgress: step,
  // a failing handler is retried and ends in its DLQ; keep the details in a file, count them here
  onError: (error) => {
    logRuntimeError(error);
    // a handler whose emulator went away under it did not fail: its message was not deleted, and the
    // next start delivers it again (and the startup sweep finds any object it never got to)
    if (stopping) {
      cutShort++;
      return;
    }
    glueErrors++;
    // a line per reason here, whole, so a run that waits on a failing message says why (numbers
    // masked: errors may quote rows)
    for (const reason of handlerFailureReasons(error))
      say(
        `traceguard: a handler failed: ${maskPhoneNumbers(reason)} (retried by SQS; details in ${join(logDir, 'local-runtime.log')})`,
      );
  },
}).catch((error: unknown) => refuse(error));
mkdirSync(logDir, { recursive: true });

/** Appends an error, stack and all, to local-runtime.log; one the stop caused is marked so. */
function logRuntimeError(error: unknown): void {
  const text = errorInFull(error);
  mkdirSync(logDir, { recursive: true });
  appendFileSync(
    join(logDir, 'local-runtime.log'),
    `${new Date().toISOString()} ${stopping ? '(cut short by the stop) ' : ''}${text}\n`,
  );
}

/** a second stack on a data folder in use ends with one line; anything else is thrown as it was */
function refuse(error: unknown): never {
  if (!(error instanceof DataDirLockedError)) throw error;
  say(`traceguard: ${error.message}`);
  process.exit(1);
}

for (const line of startupSweepLines(stack.startupSweep)) say(`traceguard: ${line}`);

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  say('traceguard: stopping the local stack (state is kept in the data folder)...');
  await stack.stop();
  if (cutShort > 0)
    say(
      `traceguard: the stop cut ${cutShort} handler run(s) short; their messages are delivered again on the next start`,
    );
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

const common = { region: stack.env.AWS_REGION, credentials: LOCAL_CREDENTIALS };
const s3 = new S3Client({ ...common, endpoint: stack.endpoints.s3, forcePathStyle: true });
const sqs = new SQSClient({ ...common, endpoint: stack.endpoints.sqs, useQueueUrlAsEndpoint: false });
const sns = new SNSClient({ ...common, endpoint: stack.endpoints.sns });
const doc = DynamoDBDocumentClient.from(
  new DynamoDBClient({ ...common, endpoint: stack.endpoints.dynamodb }),
);
const env = stack.cliEnv;

/** Waits for the pipeline to settle, showing how many batches are still queued for ingest. */
async function settle(label: string, total: number): Promise<void> {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        { stream: process.stderr, format: `${label} [{bar}] {value}/{total} batches`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(total, 0);
  const timer = setInterval(() => {
    void queueDepth(sqs, stack.outputs.IngestQueueUrl).then(
      (left) => bar?.update(Math.max(0, total - left)),
      () => {},
    );
  }, 500);
  try {
    await idle(15 * 60_000);
  } finally {
    clearInterval(timer);
    bar?.update(total);
    bar?.stop();
  }
}

/**
 * Waits until nothing is running or queued but messages whose handler failed: those wait out their
 * queue's visibility timeout (30 minutes for ingest) before SQS retries them, and the report does not
 * wait for them. Says how many there are.
 */
async function idle(timeoutMs: number): Promise<void> {
  await stack.waitForIdle({ timeoutMs, exceptRetrying: true });
  const failing = await stack.retrying();
  if (failing > 0) {
    say(
      `traceguard: ${failing} message(s) failed and wait for SQS to retry them (then the dead-letter queue); not waiting for them:`,
    );
    for (const line of failingLines(stack.failing.groups(), failing)) say(`traceguard:   ${line}`);
  }
}

/**
 * The day review once the batches are in (its schedule is hourly), and the cases and alerts its
 * findings lead to before the report.
 */
async function reviewDaysNow(): Promise<void> {
  say(await runDayReviewOnce(stack.schedules));
  await idle(5 * 60_000);
}

try {
  const taps: Tap[] = [
    await tapTopic(sqs, sns, 'local-tap-compliance-events', stack.outputs.EventsTopicArn),
    await tapTopic(sqs, sns, 'local-tap-oncall', stack.outputs.OnCallTopicArn),
  ];
  const marker = join(dataDir, 'sample-loaded.json');
  const sampleDir = join(dataDir, 'sample');
  const tracebackIds: string[] = [];
  if (options.sample && !existsSync(marker)) {
    const targets: SeedTargets = {
      doc,
      s3,
      sqs,
      customersTable: env.CUSTOMERS_TABLE,
      referenceBucket: env.REFERENCE_BUCKET,
      cdrBucket: env.CDR_BUCKET,
      tracebackQueueUrl: stack.outputs.TracebackQueueUrl,
    };
    const started = Date.now();
    say('traceguard: writing the sample day (seeded) ...');
    ensureSample(sampleDir);
    say(`traceguard: reference data loaded: ${await importReference(sampleDir, targets)}`);
    const total = await uploadBatches(sampleDir, targets, () => {});
    say(`traceguard: ${total} CDR batches dropped into s3://${env.CDR_BUCKET}/cdr/ as the switches would`);
    await settle('ingest', total);
    await reviewDaysNow();
    const submitted = await submitTracebacks(sampleDir, targets);
    say(`traceguard: ${submitted} industry traceback requests submitted`);
    await idle(5 * 60_000);
    writeFileSync(
      marker,
      `${JSON.stringify({ loadedAt: new Date().toISOString(), batches: total, tracebacks: submitted })}\n`,
    );
    say(`traceguard: sample day processed in ${Math.round((Date.now() - started) / 1000)} s`);
  } else {
    // what was queued before a stop or a crash, and what the sweep re-enqueued, is processed first
    await settle('ingest', await queueDepth(sqs, stack.outputs.IngestQueueUrl));
    await reviewDaysNow();
  }
  if (existsSync(join(sampleDir, 'tracebacks'))) {
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(join(sampleDir, 'tracebacks')))
      if (f.endsWith('.json')) tracebackIds.push(f.replace(/\.json$/, ''));
  }
  const tracebackStore = new DynamoTracebackStore(doc, env.TRACEBACKS_TABLE);
  const tracebacks = (await Promise.all(tracebackIds.map((id) => tracebackStore.get(id)))).filter(
    (t) => t !== null,
  );
  process.stdout.write(
    renderReport({
      events: await drainTap(sqs, taps[0]),
      alerts: await drainTap(sqs, taps[1]),
      cases: await new DynamoCaseStore(doc, env.CASES_TABLE).listOpen(),
      tracebacks,
    }),
  );
  const onboardingMarker = join(dataDir, 'onboarding-loaded.json');
  if (options.sample && !existsSync(onboardingMarker)) {
    const sfn = new SFNClient({ ...common, endpoint: stack.env.AWS_ENDPOINT_URL_SFN });
    process.stdout.write(
      await runOnboardingDemo({
        doc,
        sfn,
        dossiersTable: env.DOSSIERS_TABLE,
        reviewTokensTable: env.REVIEW_TOKENS_TABLE,
        auditTable: env.AUDIT_TABLE,
        stateMachineArn: stack.outputs.OnboardingStateMachineArn,
      }),
    );
    writeFileSync(onboardingMarker, `${JSON.stringify({ loadedAt: new Date().toISOString() })}\n`);
  }
  process.stdout.write(await runTrackRecordOnce(stack.schedules));
  process.stdout.write(
    `\nEndpoints (also in ${join(dataDir, 'endpoints.json')}; any AWS SDK or the AWS CLI works):\n`,
  );
  // the CLI looks for .data/endpoints.json in the folder it runs in; elsewhere it needs telling
  if (dataDir !== resolve(repoRoot, '.data'))
    process.stdout.write(`  export TRACEGUARD_DATA_DIR=${dataDir}   (for the traceguard CLI)\n`);
  for (const key of Object.keys(stack.env).filter((k) => k.startsWith('AWS_ENDPOINT_URL')))
    process.stdout.write(`  export ${key}=${stack.env[key]}\n`);
  process.stdout.write(
    `  CDR bucket: ${env.CDR_BUCKET}   upload more: npx traceguard upload <file> --switch <id>\n`,
  );

  process.stdout.write(
    `  Function logs: ${logDir}/ (one file per function)${glueErrors ? `; ${glueErrors} handler error(s) so far, see local-runtime.log` : ''}\n`,
  );
  if (options.once) await shutdown(0);
  else {
    say('\ntraceguard: the stack is up; new findings and alerts appear below. Ctrl-C stops it.');
    setInterval(() => {
      void (async () => {
        for (const m of await drainTap(sqs, taps[0])) {
          if (m.attributes.type === 'finding') {
            const f = JSON.parse(m.body);
            process.stdout.write(
              `finding  ${f.severity.toUpperCase()} ${f.customer_id} ${f.window_start} ${f.reasons.map((r: { code: string }) => r.code).join(', ')}\n`,
            );
          } else
            process.stdout.write(
              `event    ${m.attributes.type ?? 'unknown'} ${m.attributes.customer_id ?? ''}\n`,
            );
        }
        for (const a of await drainTap(sqs, taps[1]))
          process.stdout.write(`on-call  ${a.body.split('\n')[0]}\n`);
      })().catch((e) => {
        // the emulators going down under a Ctrl-C is no news
        if (!stopping) say(`traceguard: ${(e as Error).message}`);
      });
    }, 2000);
  }
} catch (error) {
  logRuntimeError(error);
  // a Ctrl-C stops the emulators under whatever this script was waiting on: that is the stop, not an error
  if (!stopping)
    say(
      `traceguard: ${error instanceof Error ? error.message : String(error)} (details in ${join(logDir, 'local-runtime.log')})`,
    );
  await shutdown(1);
}
