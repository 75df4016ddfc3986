/** When industry tracebacks named each customer (feeds the TRACEBACK_HISTORY reason). */
export class TracebackHistory {
  private readonly byCustomer = new Map<string, number[]>();

  add(customerId: string, atMs: number): void {
    const list = this.byCustomer.get(customerId) ?? [];
    list.push(atMs);
    this.byCustomer.set(customerId, list);
  }

  /** Tracebacks naming the customer in the `days` before `atMs` (inclusive of `atMs`). */
  countBefore(customerId: string, atMs: number, days: number): number {
    const list = this.byCustomer.get(customerId);
    if (!list) return 0;
    const from = atMs - days * 86_400_000;
    let n = 0;
    for (const t of list) if (t > from && t <= atMs) n++;
    return n;
  }
}
