import { z } from 'zod';
import { addressSchema } from './application.ts';
import type { IdentifierFields } from './identity.ts';

/**
 * The do-not-onboard list: businesses the carrier will not serve. Entries come from two places: a
 * customer terminated for illegal traffic joins automatically with every identifier of its dossier,
 * and compliance adds others by hand (a bad actor named by an industry traceback, an enforcement
 * order).
 */
export const doNotOnboardEntrySchema = z.object({
  entry_id: z.string().trim().min(1).max(80),
  source: z.enum(['terminated', 'manual']),
  /** the terminated customer the entry came from */
  customer_id: z.string().trim().min(1).max(64).optional(),
  added_at: z.iso.datetime({ error: 'must be an ISO 8601 UTC time' }),
  reason: z.string().trim().min(1).max(2000),
  names: z.array(z.string().trim().min(1).max(200)).min(1),
  address: addressSchema.optional(),
  id_number: z.string().trim().min(1).max(40).optional(),
  alternate_phone: z.string().trim().min(1).max(40).optional(),
  ip_ranges: z.array(z.string().trim().min(1).max(50)).default([]),
  numbers: z.array(z.string().trim().min(1).max(40)).default([]),
});
export type DoNotOnboardEntry = z.infer<typeof doNotOnboardEntrySchema>;

/** A terminated customer's dossier becomes a do-not-onboard entry, named after the customer. */
export function entryForTerminatedCustomer(
  customerId: string,
  identifiers: IdentifierFields,
  why: string,
  at: Date,
): DoNotOnboardEntry {
  return doNotOnboardEntrySchema.parse({
    entry_id: `terminated#${customerId}`,
    source: 'terminated',
    customer_id: customerId,
    added_at: at.toISOString(),
    reason: why,
    names: identifiers.names,
    address: identifiers.address,
    id_number: identifiers.id_number,
    alternate_phone: identifiers.alternate_phone,
    ip_ranges: identifiers.ip_ranges ?? [],
    numbers: identifiers.numbers ?? [],
  });
}
