/** RFC 4180 field: quoted only when it contains a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Always quoted, as Asterisk and FreeSWITCH write string fields. */
export function quoted(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}
