import { type CanonicalColumn, emptyRawCall, NOT_REPORTED, type RawCall } from '../raw-call.ts';
import { canonicalColumnOf } from './canonical-csv.ts';

/** One JSON Lines record (an object with canonical keys, any case) to a raw call. */
export function jsonRow(text: string): RawCall {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`is not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('is not a JSON object');
  }
  const raw = emptyRawCall();
  // a record without an attestation key does not report it (a present but empty one is unsigned)
  raw.attestation = NOT_REPORTED;
  const obj = value as Record<string, unknown>;
  // the key each column was read from: two spellings of one column (`customer_id`, `Customer_ID`)
  // leave no telling which value is the row's (JSON.parse itself keeps the last of a key written twice)
  const from: Partial<Record<CanonicalColumn, string>> = {};
  let numberSources: Map<string, string> | undefined;
  for (const key of Object.keys(obj)) {
    // in any case, and with the words apart as other exporters write them (`Call ID`, `start-time`)
    const col = canonicalColumnOf(key);
    if (col === undefined) continue;
    const first = from[col];
    if (first !== undefined) throw new RangeError(`${col} is given twice, as keys '${first}' and '${key}'`);
    from[col] = key;
    const v = obj[key];
    // an array or object where the contract has a string or number is no id: written out whole it
    // would become a customer or trunk named `["C1"]`
    if (v !== null && typeof v === 'object') {
      throw new TypeError(
        `${col} holds a JSON ${Array.isArray(v) ? 'array' : 'object'}, not a string or number`,
      );
    }
    if (typeof v === 'number' && (col === 'calling_number' || col === 'called_number')) {
      numberSources ??= numberTexts(text);
      raw[col] = numberSources.get(key) ?? String(v);
    } else raw[col] = v === null || v === undefined ? '' : String(v);
  }
  // a "\u0000" written as the value is data, not the "not reported" mark of a missing key
  if (
    raw.attestation === NOT_REPORTED &&
    Object.keys(obj).some((k) => canonicalColumnOf(k) === 'attestation')
  )
    throw new RangeError('attestation holds a NUL character');
  return raw;
}

/**
 * The text of each number the record `text` holds, by key, as the line writes it.
 * A phone number written as a JSON number is read as written, not as String() of the double: a
 * spreadsheet's `3.01556E+09` must stay scientific notation (its digits are gone: the row is
 * quarantined), not become the number 3015560000 someone else has. Parsed again only for such a
 * record, with the reviver's view of the source text.
 */
function numberTexts(text: string): Map<string, string> {
  const seen: Array<[holder: unknown, key: string, source: string]> = [];
  const again = JSON.parse(
    text,
    function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === 'number' && context?.source !== undefined) seen.push([this, key, context.source]);
      return value;
    },
  );
  // keys of nested objects (in columns no one reads) are not the record's
  return new Map(seen.filter(([holder]) => holder === again).map(([, key, source]) => [key, source]));
}
