import type { NumberInventory } from '../detect/reference.ts';
import type { NumberHolders } from './number-checks.ts';

/** Who holds a number according to the number inventory: customers owning it exactly or by prefix. */
export function holdersFromInventory(inventory: NumberInventory): NumberHolders {
  const customers = [...new Set(inventory.entries().map(([c]) => c))];
  return (e164) => customers.filter((c) => inventory.owns(c, e164));
}
