import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { DecisionSent } from '../review/decision-request.ts';

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: SourceData): Uint8Array | string =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 (and HMAC-SHA-256 with a secret) as the SigV4 signer asks for it, from node:crypto. */
class NodeSha256 {
  readonly #secret: Uint8Array | string | undefined;
  #hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.#secret = secret === undefined ? undefined : bytes(secret);
    this.#hash = this.#fresh();
  }
  #fresh(): Hash | Hmac {
    return this.#secret === undefined ? createHash('sha256') : createHmac('sha256', this.#secret);
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    this.#hash = this.#fresh();
  }
}

/** The decision function refused the decision (or the request): its reason, for the reviewer. */
export class DecisionRefusedRemotely extends Error {
  override name = 'DecisionRefusedRemotely';
}

/**
 * Sends a decision to the decision function URL, signed (SigV4, service `lambda`) with the caller's
 * AWS credentials from the usual chain: the function records the decision under that identity.
 */
export async function sendDecision(
  decisionsUrl: string,
  request: Record<string, unknown>,
): Promise<DecisionSent> {
  const url = new URL(decisionsUrl);
  // <url-id>.lambda-url.<region>.on.aws
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? url.hostname.split('.')[2];
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    credentials: defaultProvider(),
    sha256: NodeSha256,
  });
  const body = JSON.stringify(request);
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const response = await fetch(url, { method: 'POST', headers: signed.headers, body });
  const text = await response.text();
  let answer: { error?: string } & Partial<DecisionSent>;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`${decisionsUrl} answered ${response.status} without JSON: ${text.slice(0, 200)}`);
  }
  if (response.ok) return answer as DecisionSent;
  // 403 without an error of ours: IAM refused the signature or the caller may not invoke the URL
  throw new DecisionRefusedRemotely(
    answer.error ??
      `${decisionsUrl} refused the request (${response.status}): ${text.slice(0, 200)}; check that your identity may call it (lambda:InvokeFunctionUrl)`,
  );
}
