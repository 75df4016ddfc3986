import { z } from 'zod';
import { addressSchema } from './application.ts';
import type { IdentifierFields } from './identity.ts';

/**
 * The do-not-onboard list: businesses the carrier will not serve, and the ones it has stopped serving
 * for now. Entries come from three places: a customer terminated for illegal traffic joins
 * automatically with every identifier of its dossier; so does a suspended one, for as long as it is
 * suspended (a suspended business applying again under a new name is the way to keep sending while
 * under investigation); compliance adds others by hand (a bad actor named by an industry traceback,
 * an enforcement order).
 */
export const doNotOnboardEntrySchema = z.object({
  entry_id: z.string().trim().min(1).max(80),
  source: z.enum(['terminated', 'suspended', 'manual']),
  /** the terminated or suspended customer the entry came from */
  customer_id: z.string().trim().min(1).max(64).optional(),
  /** when the entry was added; for a suspended customer's, when the suspension began */
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

/** The entry a customer stopped by enforcement has while its status stands: one per customer and status. */
export function customerEntryId(source: 'terminated' | 'suspended', customerId: string): string {
  return `${source}#${customerId}`;
}

function entryForCustomer(
  source: 'terminated' | 'suspended',
  customerId: string,
  identifiers: IdentifierFields,
  why: string,
  at: Date,
): DoNotOnboardEntry {
  return doNotOnboardEntrySchema.parse({
    entry_id: customerEntryId(source, customerId),
    source,
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

/** A terminated customer's dossier becomes a do-not-onboard entry, named after the customer. */
export function entryForTerminatedCustomer(
  customerId: string,
  identifiers: IdentifierFields,
  why: string,
  at: Date,
): DoNotOnboardEntry {
  return entryForCustomer('terminated', customerId, identifiers, why, at);
}

/**
 * A suspended customer's dossier becomes an entry dated when the suspension began, so writing it
 * again for the same suspension (a retried step, a second case) writes the same entry.
 */
export function entryForSuspendedCustomer(
  customerId: string,
  identifiers: IdentifierFields,
  why: string,
  since: Date,
): DoNotOnboardEntry {
  return entryForCustomer('suspended', customerId, identifiers, why, since);
}
