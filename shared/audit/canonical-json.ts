/**
 * Canonical JSON: object keys sorted, no whitespace, `undefined` members left out. Two records with
 * the same content always serialize to the same bytes, so their hash does not depend on key order or
 * on which program wrote them.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

function serialize(value: unknown, where: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError(`canonical JSON: ${where} is ${value}, not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => serialize(item === undefined ? null : item, `${where}[${i}]`)).join(',')}]`;
      }
      const keys = Object.keys(value as object)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      const members = keys.map(
        (k) => `${JSON.stringify(k)}:${serialize((value as Record<string, unknown>)[k], `${where}.${k}`)}`,
      );
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${where} has type ${typeof value}, which JSON cannot hold`);
  }
}
