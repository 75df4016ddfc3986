import cliProgress from 'cli-progress';

export interface Progress {
  advance(bytes: number): void;
  stop(): void;
}

/**
 * Values as cli-progress writes them, the eta with its unit: `12s`, or `?` while it cannot be reckoned
 * (no progress measured yet: cli-progress says INF or NULL, which showed as `eta INFs`).
 */
export const etaOrUnknown: cliProgress.ValueFormatter = (value, options, type) => {
  if (type !== 'eta') return cliProgress.Format.ValueFormat(value, options, type);
  return Number.isFinite(Number(value)) ? `${cliProgress.Format.ValueFormat(value, options, type)}s` : '?';
};

/** A byte-based progress bar on stderr, only for a person watching a terminal and only for large inputs. */
export function progressFor(totalBytes: number, label: string, minBytes = 32 * 1024 * 1024): Progress {
  if (!process.stderr.isTTY || totalBytes < minBytes) return { advance() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | eta {eta}`,
      hideCursor: true,
      formatValue: etaOrUnknown,
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
