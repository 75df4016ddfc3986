import { fileChunks, tapped } from '../cli/file-chunks.ts';
import { decodeBatch } from '../shared/cdr/decode.ts';

/**
 * The read floor: the bytes of one file read the way analyze reads them (1 MB reads into one buffer,
 * gunzip when the file is gzip) and thrown away. Nothing that parses can beat it. Prints bytes read and bytes decoded.
 * Usage: node bench/floor-child.ts <file>
 */
const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/floor-child.ts <file>\n');
  process.exit(2);
}
let read = 0;
let decoded = 0;
const body = tapped(fileChunks(file), (bytes) => {
  read += bytes;
});
for await (const chunk of decodeBatch(body, file)) decoded += chunk.length;
process.stdout.write(`${JSON.stringify({ read, decoded })}\n`);
