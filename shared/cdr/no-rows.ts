/**
 * Why a batch read whole gave no rows, or null when it gave some: a switch's export job that broke and
 * writes empty files would otherwise go unnoticed, each batch done with every row usable. Said, not
 * refused: an hour without calls is what a quiet switch exports.
 */
/** `format`: the batch's as read (BatchStats.format), 'empty' when it held nothing but blank space */
export function noRowsReason(stats: { format: string; rows: number }): string | null {
  if (stats.rows > 0) return null;
  return stats.format === 'empty' ? 'no rows: empty file' : 'header only, no rows';
}
