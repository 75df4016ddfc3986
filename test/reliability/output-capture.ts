/**
 * Records everything written to this process's stdout and stderr while still passing it through.
 * Handler worker threads pipe their stdout/stderr (Powertools logs, EMF metrics, console) into the
 * parent's streams, so this sees every log line and metric a local run produces.
 */
export interface OutputCapture {
  text(): string;
  restore(): void;
}

export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  for (const [i, stream] of streams.entries()) {
    const original = originals[i];
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  }
  return {
    text: () => chunks.join(''),
    restore() {
      for (const [i, stream] of streams.entries()) stream.write = originals[i];
    },
  };
}
