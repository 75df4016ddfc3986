import type { ColumnMap } from '../../shared/cdr/formats/canonical-csv.ts';
import { KIND_OF, Kind, OPTIONAL } from '../../shared/cdr/formats/canonical-fast.ts';
import { CANONICAL_COLUMNS } from '../../shared/cdr/raw-call.ts';

/**
 * Writes shared/cdr/formats/canonical-fast-contract.ts: CanonicalFastReader.readLine with its
 * per-column loop unrolled for the contract's own column order (CANONICAL_COLUMNS), each column's
 * `case` body inlined in place. The dispatch on the column's kind, the optional-field table lookup
 * and the last-column test go; each field's code is the readLine case, copied, so the two cannot
 * drift (test/unit/cdr-contract-reader.test.ts checks the file is current and reads like readLine).
 */

const METHOD_START = '  readLine(buf: Buffer, pos: number, line: number, out: PackedCall): number {';
const LOOP_START = '    for (let col = 0; ; col++) {';
/** first line after the loop (whole line: the same text, indented deeper, is in a case) */
const LOOP_END = '\n    if (calledKey === NO_KEY) return -1;\n';
const SWITCH_START = '        switch (kind) {';
const SWITCH_END = '          default:';
const CASE = /^ {10}case Kind\.(\w+):( \{)?$/;
/** loop-only locals of readLine that the unrolled version does not use */
const LOOP_LOCALS = ['    const kinds = this.kinds;', '    const last = this.last;'];
/** what the unrolled body may use from normalize.ts (imported when it does) */
const NORMALIZE = ['DISPOSITION_NAMES', 'VERSTAT_NAMES'];
/** what the unrolled body may use from canonical-fast.ts (imported when it does) */
const SHARED = [
  'ANSWERED',
  'COMMA',
  'CR',
  'DISPOSITIONS',
  'LF',
  'NO_KEY',
  'QUOTE',
  'VERSTAT_BYTES',
  'fieldEnd',
  'isEmptyAt',
  'plainEnds',
  'wordAt',
];

function between(text: string, start: string, end: string, from = 0): { body: string; at: number } {
  const a = text.indexOf(start, from);
  if (a < 0) throw new Error(`canonical-fast.ts: cannot find "${start.trim()}"`);
  const b = text.indexOf(end, a + start.length);
  if (b < 0) throw new Error(`canonical-fast.ts: cannot find "${end.trim()}" after "${start.trim()}"`);
  return { body: text.slice(a + start.length, b), at: a };
}

/** The `case Kind.X:` bodies of readLine's switch, by kind name, without their enclosing braces. */
function caseBodies(method: string): Map<string, string[]> {
  const { body } = between(method, `${SWITCH_START}\n`, SWITCH_END);
  const cases = new Map<string, string[]>();
  let current: { name: string; braced: boolean; lines: string[] } | null = null;
  const close = () => {
    if (!current) return;
    const lines = current.lines;
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
    if (current.braced) {
      if (lines.pop()?.trim() !== '}') throw new Error(`case Kind.${current.name}: no closing brace`);
    }
    cases.set(current.name, lines);
  };
  for (const line of body.split('\n')) {
    const m = CASE.exec(line);
    if (m) {
      close();
      current = { name: m[1], braced: m[2] !== undefined, lines: [] };
    } else if (current) current.lines.push(line);
  }
  close();
  return cases;
}

/** One column of the unrolled reader: its case body in a labelled block, then its delimiter. */
function column(k: number, kindName: string, body: string[], last: boolean): string {
  const label = `f${k}`;
  const kind = Kind[kindName as keyof typeof Kind];
  const code = body
    .map((l) => l.replace(/^( *)break;$/, `$1break ${label};`).replace(/^ {4}/, ''))
    .join('\n');
  const empty =
    OPTIONAL[kind] === 1
      ? `        if (isEmptyAt(c0)) {\n          e = s;\n          break ${label};\n        }\n`
      : '';
  const delimiter = last
    ? `      const d = buf[e];
      if (d === LF) p = e + 1;
      else if (d === CR && buf[e + 1] === LF) p = e + 2;
      else return -1;`
    : `      if (buf[e] !== COMMA) return -1;
      p = e + 1;`;
  return `    // ${CANONICAL_COLUMNS[k]}
    {
      const s = p;
      const c0 = buf[s];
      if (c0 === QUOTE) return -1;
      let e: number;
      ${label}: {
${empty}${code}
      }
${delimiter}
    }`;
}

/** Comment lines of at most ~100 characters. */
function wrap(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + word.length > 96) {
      lines.push(line);
      line = '';
    }
    line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.map((l) => ` *   ${l}`).join('\n');
}

/** The generated file's text (before formatting) from the text of canonical-fast.ts. */
export function contractReaderSource(canonicalFast: string): string {
  const start = canonicalFast.indexOf(METHOD_START);
  if (start < 0) throw new Error('canonical-fast.ts: cannot find readLine');
  const end = canonicalFast.indexOf('\n  }\n', start);
  const method = canonicalFast.slice(start + METHOD_START.length, end + 1);
  const loop = between(method, LOOP_START, LOOP_END);
  const prologue = method
    .slice(0, loop.at)
    .split('\n')
    .filter((l) => !LOOP_LOCALS.includes(l))
    .join('\n');
  const epilogue = method.slice(method.indexOf(LOOP_END) + 1);
  const cases = caseBodies(method);
  const kindName = new Map(Object.entries(Kind).map(([name, value]) => [value, name]));
  const kindOf = new Map<string, Kind>(KIND_OF);
  const columns = CANONICAL_COLUMNS.map((columnName, k) => {
    // source_ip and any other column the reader does not read are Kind.Skip
    const kind = kindName.get(kindOf.get(columnName as keyof ColumnMap) ?? Kind.Skip) as string;
    const body = cases.get(kind);
    if (!body) throw new Error(`readLine has no case for Kind.${kind} (column ${columnName})`);
    return column(k, kind, body, k === CANONICAL_COLUMNS.length - 1);
  });
  const body = `${prologue}\n${columns.join('\n')}\n${epilogue}`;
  const used = SHARED.filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const types = ['Attestation', 'NumberClass', 'Verstat'].filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  const fromNormalize = NORMALIZE.filter((n) => new RegExp(`\\b${n}\\b`).test(body));
  return `// Generated by scripts/contract-reader/write.ts from CanonicalFastReader.readLine: do not edit.
// After changing readLine, run \`node scripts/contract-reader/write.ts\` (a test fails until then).
import type { PackedCall } from '../packed-call.ts';
${fromNormalize.length ? `import { ${fromNormalize.join(', ')} } from '../normalize.ts';\n` : ''}import type { ${types.join(', ')} } from '../record.ts';
import { CanonicalFastReader, ${used.join(', ')} } from './canonical-fast.ts';

/**
 * CanonicalFastReader.readLine for batches whose header is exactly the contract's column order, the
 * order the contract lists and our exports write:
${wrap(CANONICAL_COLUMNS.join(', '))}
 * The per-column loop is unrolled, so no column pays for the dispatch on its kind. Same answers as
 * readLine, row for row.
 */
export class ContractOrderReader extends CanonicalFastReader {
  override readLine(buf: Buffer, pos: number, line: number, out: PackedCall): number {${body}  }
}
`;
}
