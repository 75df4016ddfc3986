import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/aws-clients.ts';
import { synthesizeTemplate } from '../../local/template/synthesize.ts';
import { putCustomers, putReferenceObject } from '../../shared/aws/reference-import.ts';
import { parseCustomers } from '../../shared/detect/customers.ts';
import { casesIn } from './helpers/pipeline-checks.ts';
import { CUSTOMERS_CSV, DNO_TXT, pipelineDay } from './helpers/pipeline-day.ts';
import { dropBatches, loadReference } from './helpers/seed.ts';
import { repoRoot, startTestStack, type TestStack } from './helpers/test-stack.ts';

/**
 * Nothing accepted is lost when the local stack's process is killed: a batch uploaded right before a
 * SIGKILL is ingested exactly once after a restart, whether its S3 event was already in the (journaled)
 * queue or never left the process (then the sweep on start finds the object). The result must equal a
 * clean run of the same batch: manifest, aggregates, published severities and the case it opens.
 */
let template: unknown;
const batch = pipelineDay().batches.find((b) => /\/16-a\.csv/.test(b.key));
if (!batch) throw new Error('the pipeline day has no 16-a batch');
const work: string[] = [];

beforeAll(async () => {
  template = await synthesizeTemplate(repoRoot);
}, 120_000);

afterAll(() => {
  for (const dir of work) rmSync(dir, { recursive: true, force: true });
});

/** What a run leaves behind, without what differs between any two runs (versions, times, claims). */
async function outcome(t: TestStack) {
  const scan = async (logicalPart: string) =>
    (await t.doc.send(new ScanCommand({ TableName: t.tableName(logicalPart), ConsistentRead: true })))
      .Items ?? [];
  const manifest = (await scan('ManifestTable'))
    .filter((item) => String(item.pk).startsWith('BATCH#'))
    .map((item) => ({
      pk: item.pk,
      status: item.status,
      rows: item.rows,
      calls: item.calls,
      quarantined: item.quarantined,
    }));
  const windows = (await scan('AggregatesTable'))
    .filter((item) => /^(H|T)#/.test(String(item.sk)))
    .map((item) => ({ pk: item.pk, sk: item.sk, w: item.w, sev: item.sev ?? 0 }))
    .sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
  const markers = (await scan('AggregatesTable')).filter((item) =>
    String(item.sk).startsWith('APPLIED#'),
  ).length;
  const cases = (await casesIn(t)).map((c) => ({ customerId: c.customerId, severity: c.severity }));
  return { manifest, windows, markers, cases };
}

function startStackProcess(dataDir: string, templateFile: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'test/integration/helpers/stack-process.ts'),
      dataDir,
      templateFile,
      join(dataDir, '..', 'logs'),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on('data', (chunk) => {
      if (String(chunk).includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`stack process ended (${code}) before ready: ${stderr}`)));
  });
}

describe('a kill -9 right after an upload', () => {
  it('ingests the batch exactly once after a restart, as a clean run does', async () => {
    // the clean run
    const clean = await startTestStack({ prefix: 'crash-clean', template });
    let expected: Awaited<ReturnType<typeof outcome>>;
    try {
      await loadReference(clean, CUSTOMERS_CSV, DNO_TXT);
      await dropBatches(clean, [batch]);
      await clean.stack.waitForIdle({ timeoutMs: 60_000 });
      expected = await outcome(clean);
    } finally {
      await clean.stop();
    }
    expect(expected.manifest).toEqual([expect.objectContaining({ status: 'done', calls: batch.calls })]);
    expect(expected.cases).toHaveLength(1);

    // the crash: a separate process, killed as soon as the upload is acknowledged
    const dir = mkdtempSync(join(tmpdir(), 'crash-kill-'));
    work.push(dir);
    const dataDir = join(dir, 'data');
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const templateFile = join(dir, 'template.json');
    writeFileSync(templateFile, JSON.stringify(template));
    const child = await startStackProcess(dataDir, templateFile);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const { env } = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8')) as {
        env: Record<string, string>;
      };
      const common = { region: env.AWS_REGION, credentials: LOCAL_CREDENTIALS };
      const s3 = new S3Client({ ...common, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true });
      const doc = DynamoDBDocumentClient.from(
        new DynamoDBClient({ ...common, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB }),
      );
      await putCustomers(doc, env.CUSTOMERS_TABLE, [
        ...parseCustomers(CUSTOMERS_CSV, 'customers.csv').values(),
      ]);
      await putReferenceObject(s3, env.REFERENCE_BUCKET, 'dno', DNO_TXT, 'dno.txt');
      await s3.send(new PutObjectCommand({ Bucket: env.CDR_BUCKET, Key: batch.key, Body: batch.body }));
      child.kill('SIGKILL');
      s3.destroy();
      doc.destroy();
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(existsSync(join(dataDir, 'sqs-journal.jsonl'))).toBe(true);

    // the restart: the same data folder
    const restarted = await startTestStack({ prefix: 'crash-restart', template, work: dir });
    try {
      await restarted.stack.waitForIdle({ timeoutMs: 60_000 });
      expect(await outcome(restarted)).toEqual(expected);
      expect(restarted.glueErrors).toEqual([]);
    } finally {
      await restarted.stack.stop();
    }
  }, 300_000);
});
