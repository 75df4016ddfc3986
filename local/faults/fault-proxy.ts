import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AwsErrorResponse } from './aws-errors.ts';

/**
 * An HTTP proxy in front of one emulator endpoint (DynamoDB Local, or fauxqs for SNS), handed to
 * the Lambda handlers only (`startLocalStack({ handlerEndpoints })`). Every call passes through
 * untouched unless a rule of the fault plan matches it; then the proxy answers with an AWS-shaped
 * error, loses the response after the write happened, delays it, or runs something first (a
 * competing write) or after (killing the function). The SDK inside the handler cannot tell the
 * difference from AWS misbehaving.
 */
export interface ProxiedCall {
  service: string;
  /** `TransactWriteItems`, `UpdateItem`, `Publish`, ... */
  operation: string;
  /** the request body as text (JSON for DynamoDB, form-encoded for SNS) */
  text: string;
}

export type FaultAction =
  /** answer with this (an AWS error, or a made-up success); the request never reaches the emulator */
  | { type: 'answer'; response: () => AwsErrorResponse }
  /** forward (the write happens), then reset the connection: the SDK retries a call that succeeded */
  | { type: 'lost-response' }
  /** hold the request this long, then forward it (a slow dependency; past the timeout, a zombie write) */
  | { type: 'delay'; ms: number }
  /** run something (e.g. a competing write), then forward */
  | { type: 'before'; run: (call: ProxiedCall) => Promise<void> }
  /** forward, then run something (e.g. kill the function) before the answer goes back */
  | { type: 'after'; run: (call: ProxiedCall) => Promise<void> }
  /** forward a different body (test-only sabotage, to prove a check can fail) */
  | { type: 'rewrite'; body: (call: ProxiedCall) => string; loseResponse?: boolean };

export interface FaultRule {
  name: string;
  when: (call: ProxiedCall) => boolean;
  /** how many matching calls this rule hits; default 1, `Infinity` for always */
  times?: number;
  action: FaultAction;
}

interface ActiveRule extends FaultRule {
  left: number;
  hits: number;
}

/** The rules a test sets; the first matching rule with hits left acts on a call. */
export class FaultPlan {
  readonly #rules: ActiveRule[] = [];
  /** every call seen, per `service:operation` (tests check a fault was really reached) */
  readonly calls = new Map<string, number>();

  add(rule: FaultRule): this {
    this.#rules.push({ ...rule, left: rule.times ?? 1, hits: 0 });
    return this;
  }

  /** how many calls the named rule(s) acted on */
  hits(name: string): number {
    return this.#rules.filter((r) => r.name === name).reduce((sum, r) => sum + r.hits, 0);
  }

  remove(name: string): void {
    for (let i = this.#rules.length - 1; i >= 0; i--)
      if (this.#rules[i].name === name) this.#rules.splice(i, 1);
  }

  clear(): void {
    this.#rules.length = 0;
  }

  take(call: ProxiedCall): FaultRule | null {
    const key = `${call.service}:${call.operation}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    for (const rule of this.#rules) {
      if (rule.left <= 0 || !rule.when(call)) continue;
      rule.left--;
      rule.hits++;
      return rule;
    }
    return null;
  }
}

function operationOf(service: string, req: IncomingMessage, text: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  if (service === 'sns' || text.includes('Action='))
    return new URLSearchParams(text).get('Action') ?? 'unknown';
  return 'unknown';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface Upstream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, 'content-length': String(body.length) },
      },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

function answer(
  res: ServerResponse,
  status: number,
  headers: Record<string, unknown>,
  body: Buffer | string,
) {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const clean: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || k === 'transfer-encoding' || k === 'connection') continue;
    clean[k] = v as string | string[];
  }
  clean['content-length'] = String(bytes.length);
  res.writeHead(status, clean);
  res.end(bytes);
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>, to hand to the handlers */
  endpoint: string;
  plan: FaultPlan;
  close(): Promise<void>;
}

export async function startFaultProxy(options: {
  service: string;
  target: string;
  plan?: FaultPlan;
  onError?: (error: unknown) => void;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  const plan = options.plan ?? new FaultPlan();
  const server = createServer(async (req, res) => {
    try {
      const raw = await readBody(req);
      const call: ProxiedCall = {
        service: options.service,
        operation: operationOf(options.service, req, raw.toString('utf8')),
        text: raw.toString('utf8'),
      };
      const rule = plan.take(call);
      const action = rule?.action;
      if (action?.type === 'answer') {
        const e = action.response();
        answer(res, e.status, e.headers, e.body);
        return;
      }
      if (action?.type === 'delay') await new Promise((r) => setTimeout(r, action.ms));
      if (action?.type === 'before') await action.run(call);
      const body = action?.type === 'rewrite' ? Buffer.from(action.body(call)) : raw;
      const upstream = await forward(target, req, body);
      if (action?.type === 'after') await action.run(call);
      const lose = action?.type === 'lost-response' || (action?.type === 'rewrite' && action.loseResponse);
      if (lose || res.destroyed) {
        // the write happened; the caller only sees the connection drop (ECONNRESET) and retries
        req.socket.destroy();
        return;
      }
      answer(res, upstream.status, upstream.headers, upstream.body);
    } catch (error) {
      options.onError?.(error);
      if (!res.headersSent) answer(res, 502, {}, String(error));
    }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    plan,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
