import type { Customer } from '../traffic.ts';
import { csvField } from './csv-field.ts';

/** Customer registry, docs/input-contract.md. Customers with inRegistry=false are deliberately left out. */
export function customersCsv(customers: readonly Customer[]): string {
  const lines = ['customer_id,name,onboarded_at,vetting,traffic_profile'];
  for (const c of customers) {
    if (!c.inRegistry) continue;
    lines.push([c.id, c.name, c.onboardedAt, c.vetting, c.profile].map(csvField).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Number inventory, docs/input-contract.md: E.164 numbers and `+1NPANXX*` prefixes. */
export function numbersCsv(customers: readonly Customer[]): string {
  const lines = ['customer_id,number'];
  for (const c of customers) {
    if (!c.inRegistry) continue;
    for (const number of c.inventory) lines.push(`${c.id},${number}`);
  }
  return `${lines.join('\n')}\n`;
}
