import type { Command } from 'commander';
import { UsageError } from './errors.ts';

/**
 * `traceguard dlq list | redrive <queue>`: what sits in each dead-letter queue (ids and what each
 * message is about, never phone numbers), and moving it back to its queue once the cause is fixed:
 * a work queue's or an SNS subscription's messages to the queue they were for, a schedule's missed
 * runs by running its target once, now (shared/dead-letters/rerun-schedule.ts).
 */
async function sqsClient() {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  resolveCliTarget();
  const { createAwsClients } = await import('../shared/aws/clients.ts');
  return createAwsClients().sqs;
}

/**
 * The dead-letter queues the caller may read, and one line on stderr naming the queues left out
 * because it may not (an account's other queues, under a policy scoped to this stack's).
 */
async function readableDeadLetterQueues(
  sqs: Awaited<ReturnType<typeof sqsClient>>,
  prefix: string | undefined,
) {
  const { deadLetterQueues } = await import('../shared/aws/dead-letter-queues.ts');
  const skipped: string[] = [];
  const queues = await deadLetterQueues(sqs, prefix, (name) => skipped.push(name));
  if (skipped.length > 0)
    process.stderr.write(
      `note: skipped ${skipped.length} queue(s) you may not read (${skipped.join(', ')}); --prefix <stack name> looks at the stack's queues only\n`,
    );
  return queues;
}

type Queues = Awaited<ReturnType<typeof readableDeadLetterQueues>>;

const lastPart = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Where a dead-letter queue's messages come from, as `dlq list` says it. */
function origin(dlq: Queues[number]): string {
  const sources = dlq.sources.map((s) => s.name).join(', ');
  if (dlq.kind === 'sns-subscription')
    return `SNS deliveries to ${sources || (dlq.target ?? 'its target')} that failed`;
  if (dlq.kind === 'schedule')
    return `runs of ${dlq.target ? lastPart(dlq.target) : 'its target'} the schedule could not start`;
  return `from ${sources}`;
}

async function list(opts: { json?: boolean; prefix?: string }): Promise<void> {
  const { peekDeadLetters } = await import('../shared/aws/dead-letter-queues.ts');
  const sqs = await sqsClient();
  const queues = await readableDeadLetterQueues(sqs, opts.prefix);
  const report = [];
  for (const dlq of queues)
    report.push({
      queue: dlq.name,
      kind: dlq.kind,
      from: dlq.sources.map((s) => s.name),
      target: dlq.target,
      origin: origin(dlq),
      depth: dlq.depth,
      messages: dlq.depth > 0 ? await peekDeadLetters(sqs, dlq) : [],
    });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  for (const q of report) {
    process.stdout.write(`${q.queue} (${q.origin}): ${q.depth} message(s)\n`);
    for (const m of q.messages)
      process.stdout.write(
        `  ${m.messageId}  sent ${m.sentAt}  received ${m.receiveCount} times  ${m.about}\n`,
      );
  }
  if (report.length === 0) process.stdout.write('no dead-letter queues found\n');
}

async function redrive(queue: string, opts: { prefix?: string }): Promise<void> {
  const sqs = await sqsClient();
  const queues = await readableDeadLetterQueues(sqs, opts.prefix);
  // a work queue's name stands for its own dead-letter queue, not for its SNS subscription's
  const named = (match: (name: string) => boolean) =>
    queues.filter((q) => match(q.name) || (q.kind === 'work-queue' && q.sources.some((s) => match(s.name))));
  // the exact name, else the one queue whose name contains it (`IngestQueue` for a generated name)
  const exact = named((name) => name === queue);
  const candidates = exact.length > 0 ? exact : named((name) => name.includes(queue));
  if (candidates.length > 1)
    throw new UsageError(`${queue} matches ${candidates.map((q) => q.name).join(', ')}; give the full name`);
  const [dlq] = candidates;
  if (!dlq)
    throw new UsageError(
      `no dead-letter queue named ${queue} or fed by a queue of that name; known: ${queues.map((q) => q.name).join(', ') || 'none'}`,
    );
  if (dlq.kind === 'schedule') return rerunSchedule(sqs, dlq);
  if (dlq.kind === 'sns-subscription' && dlq.sources.length === 0)
    throw new UsageError(
      `${dlq.name} holds SNS deliveries to ${dlq.target ?? 'a target it does not name'}, which is no queue this command can send to: ` +
        'replay each message (dlq list shows them) to that target by hand, as SNS would have delivered it',
    );
  const { redriveDeadLetters } = await import('../shared/aws/dead-letter-queues.ts');
  const moved = await redriveDeadLetters(sqs, dlq);
  process.stdout.write(`${moved} message(s) moved from ${dlq.name} back to ${dlq.sources[0].name}\n`);
}

async function rerunSchedule(sqs: Awaited<ReturnType<typeof sqsClient>>, dlq: Queues[number]) {
  const { scheduleDeadLetters } = await import('../shared/aws/dead-letter-queues.ts');
  const { rerunSchedule: rerun } = await import('../shared/dead-letters/rerun-schedule.ts');
  const { awsScheduleTargetRunner } = await import('./dlq-schedule-targets.ts');
  const target = String(dlq.target);
  const { missed, run } = await rerun(scheduleDeadLetters(sqs, dlq), awsScheduleTargetRunner(), target);
  const ran = target.split(':')[2] === 'lambda' ? 'invoked' : 'started';
  process.stdout.write(
    run === null
      ? `${dlq.name} is empty; nothing ${ran}\n`
      : `${missed} missed run(s) in ${dlq.name}: ${ran} ${lastPart(target)} once, now (${run}), which does the work of each; the dead letters are deleted\n`,
  );
}

export function register(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('Inspect the dead-letter queues and move their messages back once the cause is fixed');
  dlq
    .command('list')
    .description(
      'Each dead-letter queue, its depth, and per message its id, receive count and what it is about',
    )
    .option('--prefix <name>', 'only queues whose name starts with this')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean; prefix?: string }) => list(opts));
  dlq
    .command('redrive')
    .description(
      "Move every message of a dead-letter queue back to the queue it was for (a schedule's: run its target once, now)",
    )
    .argument('<queue>', 'the dead-letter queue, or the queue it serves')
    .option('--prefix <name>', 'only queues whose name starts with this')
    .action((queue: string, opts: { prefix?: string }) => redrive(queue, opts));
}
