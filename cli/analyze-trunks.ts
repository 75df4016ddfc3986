/**
 * What analyze keeps of each (customer, trunk, hour): findings show only the calls per trunk, so whole
 * trunk windows would double the memory and the folding for nothing. The main thread and its workers
 * must keep the same, or their windows cannot merge.
 */
export const ANALYZE_TRUNKS = 'calls' as const;
