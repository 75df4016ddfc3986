/**
 * A failed S3 call, named by its operation and object (and, for a write, its size). The SDK's own
 * error names neither the call nor the key, and can mislead on its own: a refusal answered in another format than S3's XML
 * (a proxy, an emulator's 413) reads "XML parse error", a connection closed mid-body "write EPIPE".
 * The SDK's error is kept as the cause, with its response status in the message.
 */
export class S3CallError extends Error {
  override name = 'S3CallError';

  constructor(operation: string, bucket: string, key: string, bytes: number | null, error: unknown) {
    const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    const status = e.$metadata?.httpStatusCode;
    // the SDK's message goes on with how to see the raw response: the cause keeps all of it
    const said = String(e.message ?? error).split('\n')[0];
    super(
      `S3 ${operation} s3://${bucket}/${key}${bytes === null ? '' : ` (${bytes} bytes)`} failed: ` +
        `${status === undefined ? '' : `HTTP ${status}, `}${e.name ?? 'Error'}: ${said}`,
      { cause: error },
    );
  }
}
