import { z } from 'zod';
import { normalizeNumber } from '../cdr/phone.ts';
import { parseIpRange } from '../net/ip-range.ts';
import { eachCsvObject, ReferenceDataError } from './reference-csv.ts';

/**
 * The customer registry (docs/input-contract.md): who each customer is, how well vetted, and what
 * traffic it sends. Kept apart from the number inventory and DNO list so that the CDR readers, which
 * need only those, do not load the schema library.
 */
export const VETTING = ['new', 'standard', 'trusted'] as const;
export const PROFILES = ['conversational', 'call_center', 'notifications', 'dialer'] as const;
export type Vetting = (typeof VETTING)[number];
/** where enforcement left a customer: a suspended or terminated customer's calls must be blocked */
export const STATUSES = ['active', 'warned', 'suspended', 'terminated'] as const;
export type CustomerStatus = (typeof STATUSES)[number];
export type TrafficProfile = (typeof PROFILES)[number];

/**
 * The tier whose thresholds a customer's traffic is judged on: its vetting, except that a warned
 * customer is on probation and judged as a new one (the strictest tier) until a person reinstates
 * it. A warning that changed nothing in detection would let the next campaign run as long as the
 * first before anyone looked.
 */
export function judgedTier(customer: { vetting: Vetting; status?: CustomerStatus }): Vetting {
  return customer.status === 'warned' ? 'new' : customer.vetting;
}

/**
 * A list column: an array (registry items) or text separated by semicolons (CSV cells, where a comma
 * would need quoting; numbers may contain spaces); empty means none.
 */
function listOf<T extends z.ZodType<string>>(item: T) {
  return z.preprocess(
    (v) =>
      v === '' || v === null || v === undefined
        ? undefined
        : typeof v === 'string'
          ? v
              .split(';')
              .map((x) => x.trim())
              .filter((x) => x !== '')
          : v,
    z.array(item).optional(),
  );
}

/** an originating address or CIDR block the customer declared at onboarding */
const declaredIpRange = z.string().refine((t) => parseIpRange(t) !== null, {
  error: (i) => `'${String(i.input)}' is not an IP address or CIDR block`,
});

/** a telephone number the customer declared (with its proof of right) at onboarding, as E.164 */
const declaredNumber = z.string().transform((t, ctx) => {
  const n = normalizeNumber(t);
  if (!n.value.startsWith('+')) {
    ctx.addIssue({ code: 'custom', message: `'${t}' is not an E.164 or NANP number` });
    return z.NEVER;
  }
  return n.value;
});

const customerFields = z.object({
  customer_id: z.string().trim().min(1, 'customer_id is empty'),
  name: z.string().trim(),
  onboarded_at: z
    .string()
    .trim()
    .refine((s) => s === '' || !Number.isNaN(Date.parse(s)), 'onboarded_at is not a date'),
  vetting: z.enum(VETTING),
  traffic_profile: z.enum(PROFILES),
  /** the peak calls per hour declared at onboarding (optional registry column) */
  declared_peak_per_hour: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? undefined : Number(v)),
    z.number().int().positive('declared_peak_per_hour must be a positive whole number').optional(),
  ),
  /** originating addresses declared at onboarding: calls from elsewhere are UNDECLARED_SOURCE_IP */
  declared_ip_ranges: listOf(declaredIpRange),
  /** calling numbers declared (with LOA) at onboarding: others are UNDECLARED_CALLING_NUMBER */
  declared_numbers: listOf(declaredNumber),
  /**
   * a provider customer (optional registry column): a carrier that hands us other providers' and its
   * own customers' calls, listed in the Robocall Mitigation Database. Its caller IDs are its
   * customers' and their signing is upstream's, so the rules on those leave it out by default.
   */
  provider: z.preprocess(
    (v) =>
      v === '' || v === null || v === undefined
        ? undefined
        : typeof v === 'string' && /^(true|yes|1)$/i.test(v.trim())
          ? true
          : typeof v === 'string' && /^(false|no|0)$/i.test(v.trim())
            ? false
            : v,
    z.boolean({ error: 'provider must be true or false' }).optional(),
  ),
  /**
   * the enforcement status (optional registry column; in the pipeline, what the case workflow set)
   * and when it was set: calls placed after a suspension or termination are a finding
   * (CALLS_AFTER_ENFORCEMENT, hard-rules.ts), so a suspended or terminated customer needs the date
   */
  status: z.enum(STATUSES).optional(),
  status_changed_at: z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'status_changed_at is not a date')
    .optional(),
  /**
   * when the customer's calls first had to stop, when that was before its status changed last (a
   * customer suspended, then terminated: its calls between the two are calls after a suspension)
   */
  blocked_since: z
    .string()
    .trim()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'blocked_since is not a date')
    .optional(),
});

export const customerSchema = customerFields.refine(
  (c) => !(c.status === 'suspended' || c.status === 'terminated') || c.status_changed_at !== undefined,
  {
    path: ['status_changed_at'],
    error: 'a suspended or terminated customer needs status_changed_at (when its calls had to stop)',
  },
);
export type Customer = z.infer<typeof customerSchema>;

export function parseCustomers(text: string, source: string): Map<string, Customer> {
  const map = new Map<string, Customer>();
  /** the line each customer was first seen on: a second row would silently replace it */
  const firstLine = new Map<string, number>();
  const headed = eachCsvObject(text, source, ['customer_id', 'vetting', 'traffic_profile'], (line, row) => {
    const parsed = customerSchema.safeParse({
      name: '',
      onboarded_at: '',
      ...row,
      vetting: row.vetting?.toLowerCase(),
      traffic_profile: row.traffic_profile?.toLowerCase(),
      // empty cells are absent; the status in any case, like vetting (the Customers table's rows
      // come clean from the case workflow, so the schema itself takes them as they are)
      status: row.status?.trim().toLowerCase() || undefined,
      status_changed_at: row.status_changed_at?.trim() || undefined,
      blocked_since: row.blocked_since?.trim() || undefined,
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ReferenceDataError(
        `${source}: line ${line}: ${issue.path.join('.') || 'row'}: ${issue.message}`,
      );
    }
    const id = parsed.data.customer_id;
    const first = firstLine.get(id);
    if (first !== undefined)
      throw new ReferenceDataError(
        `${source}: line ${line}: customer_id ${id} again (first on line ${first})`,
      );
    firstLine.set(id, line);
    map.set(id, parsed.data);
  });
  // an empty file is a wrong or failed export, not a registry without customers: every customer
  // would be judged `new`
  if (!headed)
    throw new ReferenceDataError(
      `${source}: empty file (expected a header customer_id,name,onboarded_at,vetting,traffic_profile)`,
    );
  return map;
}

/** Customers seen in CDRs but missing from the registry are treated as new (docs/input-contract.md). */
export function unknownCustomer(customerId: string): Customer {
  return {
    customer_id: customerId,
    name: '',
    onboarded_at: '',
    vetting: 'new',
    traffic_profile: 'conversational',
  };
}
