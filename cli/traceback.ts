import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, unreadableBatch } from './errors.ts';

/**
 * `traceguard traceback lookup|submit|list|show`. `lookup` answers offline over local files with the
 * same lookup code the traceback function runs; the others talk to the deployed (or local) stack:
 * the queue and table come from the environment or `.data/endpoints.json` written by the local stack.
 */

interface LookupOptions {
  tolerance: string;
  inputFormat: string;
  timezone?: string;
  slaHours: string;
  switch?: string;
  trunks?: string;
  out?: string;
}

async function readRequest(path: string) {
  const { MAX_REQUEST_BYTES } = await import('../shared/traceback/request.ts');
  let text: string;
  try {
    // a FIFO would block and a huge file fill memory: only a regular file of a request's size is read
    const st = statSync(path);
    if (!st.isFile()) throw new UsageError(`${path}: traceback request is not a regular file`);
    if (st.size > MAX_REQUEST_BYTES)
      throw new UsageError(
        `${path}: traceback request is ${st.size} bytes, over the ${MAX_REQUEST_BYTES}-byte limit`,
      );
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `${path}: cannot read traceback request (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return import('../shared/traceback/request.ts').then(({ parseTracebackRequest, TracebackRequestError }) => {
    try {
      // a call still to come, or received before its call, is refused here as on the queue
      return parseTracebackRequest(text, path, Date.now());
    } catch (e) {
      if (e instanceof TracebackRequestError) throw new UsageError(e.message);
      throw e;
    }
  });
}

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} must be a number of at least 0, got '${value}'`);
  return n;
}

async function runLookup(requestPath: string, inputs: string[], opts: LookupOptions): Promise<string> {
  const { expandInputs, loadTrunks, parseInputFormat, parseZone } = await import('./inputs.ts');
  const { fileBatches } = await import('../shared/traceback/files.ts');
  const { lookupInBatches } = await import('../shared/traceback/lookup.ts');
  const { BatchReadError } = await import('../shared/cdr/batch-parser.ts');
  const request = await readRequest(requestPath);
  const format = parseInputFormat(opts.inputFormat);
  const zone = parseZone(opts.timezone);
  // as ingest attributed native rows without accountcode: the switch's trunk map, then peer names
  const attribution = opts.trunks ? loadTrunks(opts.trunks, opts.switch) : undefined;
  const toleranceS = positiveNumber(opts.tolerance, '--tolerance');
  const slaHours = positiveNumber(opts.slaHours, '--sla-hours');
  const files = await expandInputs(inputs);
  const { checkOutputs } = await import('./output-file.ts');
  checkOutputs({ '--out': opts.out }, [requestPath, ...files.map((f) => f.path)]);
  try {
    const answer = await lookupInBatches(
      request,
      fileBatches(
        files.map((f) => f.path),
        { switchId: opts.switch },
      ),
      {
        format,
        zone,
        attribution,
        toleranceS,
        slaHours,
      },
    );
    return `${JSON.stringify(answer, null, 2)}\n`;
  } catch (e) {
    if (e instanceof BatchReadError) throw unreadableBatch(e);
    if ((e as NodeJS.ErrnoException).code)
      throw new UsageError(`cannot read input (${(e as Error).message})`);
    throw e;
  }
}

async function target() {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  try {
    return resolveCliTarget();
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function requireSetting(t: { require(name: string): string }, name: string): string {
  try {
    return t.require(name);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

async function runSubmit(path: string): Promise<string> {
  // validated here too, so a bad file is refused at once with the field named, not later in the DLQ
  const request = await readRequest(path);
  const t = await target();
  const queueUrl = requireSetting(t, 'TRACEBACK_QUEUE_URL');
  // and checked against a request already on record under its id, as intake will: another call under
  // a known id would be refused there, after this command said submitted, and end in the DLQ
  const known = await (await store()).get(request.tracebackId);
  if (known) {
    const { refuseAnotherCall } = await import('../shared/traceback/intake.ts');
    const { TracebackConflictError } = await import('../shared/traceback/request.ts');
    try {
      refuseAnotherCall(request, known);
    } catch (e) {
      if (e instanceof TracebackConflictError) throw new UsageError(`${path}: ${e.message}`);
      throw e;
    }
  }
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const { deadlineMs } = await import('../shared/traceback/deadline.ts');
  const { isoUtc } = await import('../shared/cdr/time.ts');
  const { submittedText } = await import('./traceback-text.ts');
  const submitted = { tracebackId: request.tracebackId, dueAt: isoUtc(deadlineMs(request.receivedMs)) };
  // a found answer is final: intake would only answer with it again
  if (known?.answer?.status === 'found') return submittedText(submitted, known, null, Date.now());
  // the SDK would otherwise send to the queue URL's host, which the local stack's URLs do not resolve to
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  try {
    const out = await sqs.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(request.document) }),
    );
    return submittedText(submitted, known, { messageId: String(out.MessageId) }, Date.now());
  } finally {
    sqs.destroy();
  }
}

async function store() {
  const t = await target();
  const table = requireSetting(t, 'TRACEBACKS_TABLE');
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoTracebackStore } = await import('../shared/aws/traceback-store.ts');
  return new DynamoTracebackStore(documentClient(), table);
}

async function runList(opts: { format?: string; all?: boolean; days: string }): Promise<string> {
  const { describeRemaining } = await import('../shared/traceback/deadline-watch.ts');
  const { isoUtc } = await import('../shared/cdr/time.ts');
  const { textTable } = await import('./traceback-text.ts');
  const days = positiveNumber(opts.days, '--days');
  const s = await store();
  const now = Date.now();
  const open = (await s.listOpen())
    .map((r) => ({
      traceback_id: r.tracebackId,
      received_at: r.receivedAt,
      deadline: r.deadline,
      remaining_s: Math.round((Date.parse(r.deadline) - now) / 1000),
      time_left: describeRemaining(Date.parse(r.deadline) - now),
      requester: r.requester,
      campaign: r.campaign,
    }))
    .sort((a, b) => a.remaining_s - b.remaining_s);
  // answered ones only when asked: the answered list grows with every request ever received
  const answered = opts.all
    ? (await s.listAnswered(isoUtc(now - days * 86_400_000)))
        .map((r) => ({
          traceback_id: r.tracebackId,
          received_at: r.receivedAt,
          deadline: r.deadline,
          answered_at: r.answeredAt ?? '',
          answer: r.answer?.status ?? '',
          corrected: r.firstAnswer !== undefined,
          customer_id: r.customerId ?? '',
          requester: r.requester,
          campaign: r.campaign,
        }))
        .reverse()
    : null;
  const format = opts.format ?? (process.stdout.isTTY ? 'table' : 'json');
  if (format === 'json') return `${JSON.stringify(answered ? { open, answered } : { open }, null, 2)}\n`;
  if (format !== 'table') throw new UsageError(`--format must be json or table, got '${format}'`);
  const parts: string[] = [];
  if (open.length === 0) parts.push('no open traceback requests');
  else
    parts.push(
      textTable([
        ['TRACEBACK', 'DEADLINE', 'TIME LEFT', 'REQUESTER', 'CAMPAIGN'],
        ...open.map((r) => [r.traceback_id, r.deadline, r.time_left, r.requester, r.campaign]),
      ]),
    );
  if (answered) {
    parts.push('');
    if (answered.length === 0)
      parts.push(`no traceback requests answered with a deadline in the last ${days} days`);
    else
      parts.push(
        textTable([
          ['TRACEBACK', 'ANSWER', 'CUSTOMER', 'ANSWERED', 'DEADLINE', 'REQUESTER', 'CAMPAIGN'],
          ...answered.map((r) => [
            r.traceback_id,
            `${r.answer}${r.corrected ? ' (corrected)' : ''}`,
            r.customer_id || '-',
            r.answered_at,
            r.deadline,
            r.requester,
            r.campaign,
          ]),
        ]),
      );
  }
  return `${parts.join('\n')}\n`;
}

async function runShow(id: string, opts: { json?: boolean }): Promise<string> {
  const record = await (await store()).get(id);
  if (!record) throw new UsageError(`traceback ${id}: not found`);
  if (opts.json) return `${JSON.stringify(record, null, 2)}\n`;
  const { tracebackSummary } = await import('./traceback-text.ts');
  return tracebackSummary(record, Date.now());
}

export function register(program: Command): void {
  const traceback = program
    .command('traceback')
    .description('Traceback requests: answer offline, submit, list open requests, show one');

  traceback
    .command('lookup')
    .description(
      'Answer a traceback request from local CDR files (same lookup code as the deployed function)',
    )
    .argument('<request.json>', 'traceback request (docs/traceback.md)')
    .argument(
      '<file-or-dir...>',
      'CDR batches: CSV or JSON Lines, gzip or not, canonical or native switch formats',
    )
    .option('--tolerance <seconds>', 'clock skew allowed between the request and the switch', '120')
    .option('--input-format <format>', 'auto, canonical, jsonl, asterisk or freeswitch', 'auto')
    .option('--timezone <zone>', 'IANA zone of local times in native formats (e.g. America/New_York)')
    .option('--switch <id>', 'switch that wrote files outside cdr/<switch>/ (default: their folder name)')
    .option(
      '--trunks <file>',
      'trunk map CSV (switch_id,trunk,customer_id): customers of native rows with an empty accountcode',
    )
    .option('--sla-hours <hours>', 'answer deadline after received_at', '24')
    .option('--out <file>', 'write the answer here instead of stdout')
    .action(async (requestPath: string, inputs: string[], opts: LookupOptions) => {
      const output = await runLookup(requestPath, inputs, opts);
      if (opts.out) (await import('./output-file.ts')).writeOutput(opts.out, output);
      else process.stdout.write(output);
    });

  traceback
    .command('submit')
    .description('Send a traceback request to the traceback queue (TRACEBACK_QUEUE_URL or the local stack)')
    .argument('<file>', 'traceback request JSON')
    .action(async (file: string) => {
      process.stdout.write(await runSubmit(file));
    });

  traceback
    .command('list')
    .description('Open traceback requests with the time left, most urgent first')
    .option('--format <format>', 'json or table (default: table on a terminal, json otherwise)')
    .option('--all', 'answered requests too, latest deadline first (their answer and customer)')
    .option(
      '--days <days>',
      'with --all: answered requests whose deadline is at most this many days ago',
      '30',
    )
    .action(async (opts: { format?: string; all?: boolean; days: string }) => {
      process.stdout.write(await runList(opts));
    });

  traceback
    .command('show')
    .description('One traceback request: status, deadline and time left, what was searched and found')
    .argument('<traceback_id>')
    .option('--json', 'the whole stored record as JSON (numbers and CDR rows included)')
    .action(async (id: string, opts: { json?: boolean }) => {
      process.stdout.write(await runShow(id, opts));
    });
}
