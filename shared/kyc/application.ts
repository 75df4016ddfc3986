import { z } from 'zod';
import { PROFILES } from '../detect/customers.ts';
import { closestKnown, didYouMean } from './did-you-mean.ts';

/**
 * A customer's application for service: who it is, where it is, how to reach it, what traffic it
 * will send and from where. Validated at every boundary (CLI file, API body, state machine input)
 * with this one schema; errors name the field.
 */
export const INTENDED_USES = [
  'marketing',
  'notifications',
  'political',
  'conversational',
  'call_center',
  'collections',
  'surveys',
  'wholesale',
] as const;
export type IntendedUse = (typeof INTENDED_USES)[number];

/** An unknown field, with the known one it most likely misspells: `renewing_customer (did you mean renewing_customer_id?)`. */
function unknownField(key: string, known: readonly string[]): string {
  const meant = closestKnown(key, known);
  return meant ? `${key} (${didYouMean(meant)})` : key;
}

/**
 * An object of the application that refuses a field it does not know, at every level: a misspelt
 * optional field (`renewing_customer`) would otherwise be dropped unread and the application taken
 * for something it does not say (a new customer instead of a renewal).
 */
function fields<Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => unknownField(k, known)).join(', ')}`
        : undefined,
  });
}

const text = (what: string, max = 200) =>
  z
    .string({ error: `is required: ${what}` })
    .trim()
    .min(1, { error: `must name ${what}` })
    .max(max, { error: `must be at most ${max} characters` });

export const addressSchema = fields({
  street: text('the street address'),
  city: text('the city', 100),
  region: text('the state or region', 100),
  postal_code: text('the postal code', 20),
  country: z
    .string({ error: 'is required: ISO 3166 two-letter country code' })
    .trim()
    .regex(/^[A-Za-z]{2}$/, { error: 'must be an ISO 3166 two-letter country code (US, CA, ...)' })
    .transform((c) => c.toUpperCase()),
});
export type Address = z.infer<typeof addressSchema>;

export const telephoneNumberSchema = fields({
  number: text('the telephone number', 40),
  /** where the right to use the number is proven: a letter of authorization or carrier record */
  loa_reference: text('the letter of authorization (LOA) or carrier record proving the right to use it', 200),
});

export const rmdFilingSchema = fields({
  rmd_number: z
    .string({ error: 'is required for a provider customer' })
    .trim()
    .regex(/^RMD\d{7}$/i, { error: 'must look like RMD0001234' })
    .transform((s) => s.toUpperCase()),
  frn: z
    .string()
    .trim()
    .regex(/^\d{10}$/, { error: 'must be the 10-digit FCC Registration Number' })
    .optional(),
});

/** A count of calls, its problems said in words: the schema library's own ("expected int") are not. */
const callCount = (per: string, max: number) => {
  const whole = `must be a whole number of calls per ${per}`;
  return z
    .number({ error: whole })
    .int({ error: whole })
    .nonnegative({ error: `cannot be negative: ${whole}` })
    .max(max, { error: `must be at most ${max.toLocaleString('en-US')} calls per ${per}` });
};

const expectedVolumeSchema = fields({
  calls_per_day: callCount('day', 100_000_000),
  peak_per_hour: callCount('hour', 10_000_000),
});

interface FieldIssue {
  path: string[];
  message: string;
}

/**
 * Checks across fields, on whichever of their fields are valid: zod runs an object's refinements only
 * once every field passed, so a form with a bad e-mail and a peak over its daily calls was told of the
 * peak only when sent again (parseApplication runs these on a form that failed too).
 */
function crossFieldIssues(app: {
  provider?: unknown;
  rmd?: unknown;
  expected_volume?: unknown;
}): FieldIssue[] {
  const out: FieldIssue[] = [];
  if (app.provider === true && app.rmd === undefined)
    out.push({ path: ['rmd'], message: 'is required for a provider customer' });
  const volume = expectedVolumeSchema.safeParse(app.expected_volume);
  if (volume.success && volume.data.peak_per_hour > volume.data.calls_per_day)
    out.push({ path: ['expected_volume', 'peak_per_hour'], message: 'cannot exceed calls_per_day' });
  return out;
}

export const applicationSchema = fields({
  application_id: z
    .string({ error: 'is required' })
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
      error: 'must be 1-64 letters, digits, dot, dash or underscore',
    }),
  legal_name: text('the legal name of the business'),
  dba: z.string().trim().max(200).optional(),
  address: addressSchema,
  /** EIN (US) or the equivalent government-issued business identifier */
  id_number: text('the government-issued ID number (EIN or equivalent)', 40),
  alternate_phone: text('an alternate telephone number', 40),
  contact: fields({
    name: text('the contact person'),
    email: z.email({ error: 'must be an e-mail address' }),
  }),
  traffic_profile: z.enum(PROFILES, { error: `must be one of ${PROFILES.join(', ')}` }),
  expected_volume: expectedVolumeSchema,
  intended_use: z
    .array(z.enum(INTENDED_USES, { error: `must be one of ${INTENDED_USES.join(', ')}` }))
    .min(1, { error: 'must list at least one intended use' })
    .max(INTENDED_USES.length),
  originating_ips: z.array(text('an IP address or CIDR', 50)).max(256).default([]),
  telephone_numbers: z.array(telephoneNumberSchema).max(10_000).default([]),
  /** a provider customer (it resells or carries others' calls) must be listed in the RMD */
  provider: z.boolean().default(false),
  rmd: rmdFilingSchema.optional(),
  /** a renewing customer re-verified at the policy interval names its customer id */
  renewing_customer_id: z.string().trim().min(1).max(64).optional(),
}).superRefine((app, ctx) => {
  for (const issue of crossFieldIssues(app)) ctx.addIssue({ code: 'custom', ...issue });
});
export type Application = z.infer<typeof applicationSchema>;

export class InvalidApplication extends Error {
  override name = 'InvalidApplication';
}

/** Validates an application; the error lists every bad field as `field: problem`. */
export function parseApplication(input: unknown, where: string): Application {
  const parsed = applicationSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues: Array<{ path: PropertyKey[]; message: string }> = [...parsed.error.issues];
  if (typeof input === 'object' && input !== null) issues.push(...crossFieldIssues(input));
  const problems = [...new Set(issues.map((i) => `${i.path.join('.') || 'application'}: ${i.message}`))];
  throw new InvalidApplication(`${where}: ${problems.join('; ')}`);
}
