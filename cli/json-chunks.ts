/**
 * `JSON.stringify(doc, null, 2) + '\n'` in pieces, each array of the top-level object 250
 * elements at a time: the findings of a carrier's day run to tens of MB of text, and building it as
 * one string (then one buffer to write) made the end of a run its memory peak. Each piece is what
 * JSON.stringify writes for `{ key: part }`, cut out of its braces, so it is indented as in the whole
 * document and joined the pieces are exactly the one string.
 */
export function* jsonChunks(doc: object): Generator<string> {
  // members JSON.stringify leaves out (undefined, a function...); an array always stays, so the
  // findings are not written once more only to learn that
  const entries = Object.entries(doc).filter(([, v]) => isPlainArray(v) || JSON.stringify(v) !== undefined);
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i];
    const comma = i < entries.length - 1 ? ',' : '';
    if (!Array.isArray(value) || value.length <= PART) {
      yield `${member(key, value)}${comma}\n`;
      continue;
    }
    // '  "key": [\n' + elements + '\n  ]': the head, the elements part by part, the tail
    const head = `  ${JSON.stringify(key)}: [\n`;
    yield head;
    for (let from = 0; from < value.length; from += PART) {
      const text = member(key, value.slice(from, from + PART));
      const last = from + PART >= value.length;
      yield `${text.slice(head.length, text.length - '\n  ]'.length)}${last ? '' : ','}\n`;
    }
    yield `  ]${comma}\n`;
  }
  yield '}\n';
}

/** elements of an array written per piece */
const PART = 250;

/** `  "key": value` as JSON.stringify(doc, null, 2) writes a member of the top-level object. */
function member(key: string, value: unknown): string {
  const text = JSON.stringify({ [key]: value }, null, 2);
  // '{\n' + member + '\n}'
  return text.slice(2, text.length - 2);
}

/** An array JSON.stringify writes as an array (no toJSON of its own to say otherwise). */
function isPlainArray(v: unknown): boolean {
  return Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}
