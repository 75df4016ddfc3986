import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DecisionRefusedRemotely, sendDecision } from '../../shared/aws/decisions-client.ts';

/** A stand-in for the function URL on the loopback: records what arrives, answers as told. */
async function urlAnswering(status: number, body: unknown) {
  const seen: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => {
      text += chunk;
    });
    req.on('end', () => {
      seen.push({ headers: req.headers, body: text });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, seen, close: () => new Promise((r) => server.close(r)) };
}

const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-only-for-signing',
    AWS_REGION: 'us-east-1',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterEach(() => {
  process.env = { ...saved };
});

describe('sendDecision', () => {
  it('signs the request for the lambda service with the caller’s credentials, and sends no name of its own', async () => {
    const url = await urlAnswering(200, {
      kind: 'case',
      id: 'C-1',
      stage: 'analyst',
      decision: 'warn',
      decidedBy: 'alice',
    });
    try {
      const sent = await sendDecision(url.url, {
        kind: 'case',
        caseId: 'C-1',
        decision: 'warn',
        reason: 'short calls',
      });
      expect(sent).toMatchObject({ stage: 'analyst', decidedBy: 'alice' });
      const [{ headers, body }] = url.seen;
      expect(headers.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/lambda\/aws4_request, SignedHeaders=.*host.*, Signature=[0-9a-f]{64}$/,
      );
      expect(headers['x-amz-content-sha256'] ?? headers['x-amz-date']).toBeDefined();
      expect(JSON.parse(body)).toEqual({
        kind: 'case',
        caseId: 'C-1',
        decision: 'warn',
        reason: 'short calls',
      });
    } finally {
      await url.close();
    }
  });

  it('turns a refusal into the function’s reason', async () => {
    const url = await urlAnswering(409, { error: 'bob is not an executive reviewer', kind: 'ReviewRefused' });
    try {
      await expect(
        sendDecision(url.url, {
          kind: 'case',
          caseId: 'C-1',
          decision: 'terminate',
          reason: 'approved after review',
        }),
      ).rejects.toThrow(new DecisionRefusedRemotely('bob is not an executive reviewer'));
    } finally {
      await url.close();
    }
  });
});
