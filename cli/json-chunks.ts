/**
 * `JSON.stringify(doc, null, 2) + '\n'` in pieces, each array of the top-level object one element at
 * a time: the findings of a carrier's day run to tens of MB of text, and building it as one string
 * (then one buffer to write) made the end of a run its memory peak. Joined, the pieces are exactly
 * the one string: an element's own lines are indented two levels deeper, which is safe because
 * JSON.stringify escapes every newline inside strings.
 */
export function* jsonChunks(doc: object): Generator<string> {
  const entries = Object.entries(doc).filter(([, v]) => JSON.stringify(v) !== undefined);
  if (entries.length === 0) {
    yield '{}\n';
    return;
  }
  yield '{\n';
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i];
    const comma = i < entries.length - 1 ? ',' : '';
    if (!Array.isArray(value) || value.length === 0) {
      yield `  ${JSON.stringify(key)}: ${indent(JSON.stringify(value, null, 2), '  ')}${comma}\n`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (let k = 0; k < value.length; k++) {
      // as JSON.stringify writes array holes and values it cannot write (undefined, functions)
      const text = JSON.stringify(value[k], null, 2) ?? 'null';
      yield `    ${indent(text, '    ')}${k < value.length - 1 ? ',' : ''}\n`;
    }
    yield `  ]${comma}\n`;
  }
  yield '}\n';
}

function indent(text: string, by: string): string {
  return text.includes('\n') ? text.replaceAll('\n', `\n${by}`) : text;
}

/** Writes the pieces through `write` in blocks of about 64 KiB (few writes, little held at once). */
export function writeChunks(chunks: Iterable<string>, write: (text: string) => void): void {
  let pending: string[] = [];
  let length = 0;
  for (const c of chunks) {
    pending.push(c);
    length += c.length;
    if (length >= 64 * 1024) {
      write(pending.join(''));
      pending = [];
      length = 0;
    }
  }
  if (length > 0) write(pending.join(''));
}
