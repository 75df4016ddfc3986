import cliProgress from 'cli-progress';

export interface Progress {
  advance(bytes: number): void;
  stop(): void;
}

/** A byte-based progress bar on stderr, only for a person watching a terminal and only for large inputs. */
export function progressFor(totalBytes: number, label: string, minBytes = 32 * 1024 * 1024): Progress {
  if (!process.stderr.isTTY || totalBytes < minBytes) return { advance() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | eta {eta}s`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const mb = (b: number) => Math.round(b / 1048576);
  bar.start(mb(totalBytes), 0);
  let done = 0;
  return {
    advance(bytes) {
      done += bytes;
      bar.update(mb(done));
    },
    stop() {
      bar.stop();
    },
  };
}
