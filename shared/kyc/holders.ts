import type { NumberInventory } from '../detect/reference.ts';
import type { Identity } from './identity.ts';
import type { NumberHolders } from './number-checks.ts';

/** Who holds a number according to the number inventory: customers owning it exactly or by prefix. */
export function holdersFromInventory(inventory: NumberInventory): NumberHolders {
  const customers = [...new Set(inventory.entries().map(([c]) => c))];
  return (e164) => customers.filter((c) => inventory.owns(c, e164));
}

/** Who declared a number (with its proof of right) when onboarded: customers on file by their identity. */
export function holdersFromDeclarations(
  customers: readonly { customer_id: string; identity: Identity }[],
): NumberHolders {
  const declaredBy = new Map<string, string[]>();
  for (const { customer_id, identity } of customers) {
    for (const n of identity.numbers) declaredBy.set(n, [...(declaredBy.get(n) ?? []), customer_id]);
  }
  return (e164) => declaredBy.get(e164) ?? [];
}
