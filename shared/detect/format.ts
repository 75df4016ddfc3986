/** Number formatting for reason sentences: `4,210`, `81%`, `2.5 s`. */
// grouping by hand: toLocaleString goes through ICU on every call, which showed in analyze's profile
export const int = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export const pct = (r: number): string =>
  `${r >= 0.995 || r < 0.1 ? Math.round(r * 1000) / 10 : Math.round(r * 100)}%`;
export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;
