import { z } from 'zod';

/**
 * Deployment configuration, read from CDK context (`cdk.json` "context" or `cdk deploy -c key=value`).
 * Values given with `-c` arrive as strings, so numbers are coerced; everything else is strict.
 */
export const configSchema = z.object({
  /** deployment name, part of the stack name (`Traceguard-<stage>`) */
  stage: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, 'lower-case letters, digits and dashes, starting with a letter, max 20')
    .default('dev'),
  /** optional e-mail address subscribed to the OnCallTopic (confirmation mail is sent by SNS) */
  alertEmail: z.email().optional(),
  /** days after which CDR batches move to Glacier Instant Retrieval (still readable by traceback in ms) */
  archiveTransitionDays: z.coerce.number().int().min(1).max(3650).default(30),
  /** years access logs are kept, and (outside trial stages) the audit export is locked */
  auditRetentionYears: z.coerce.number().int().min(1).max(100).default(5),
  /**
   * Object Lock mode of the audit export. Default: `governance` on trial stages (`dev`, `dev-*`), whose
   * data an admin may remove; `compliance` everywhere else, which nobody can shorten or remove.
   */
  auditLockMode: z.enum(['governance', 'compliance']).optional(),
  /** days each exported audit record is locked. Default: 1 on trial stages, else auditRetentionYears */
  auditLockDays: z.coerce.number().int().min(1).max(36_600).optional(),
  /** hours without an on-call alert after which a customer's same severity pages again */
  alertQuietHours: z.coerce.number().int().min(1).max(720).default(24),
  /** optional S3 key, in the ReferenceBucket, of a detection policy override read by ingest */
  policyKey: z
    .string()
    .regex(/^[^/].*\S$/, 'an S3 object key without a leading slash, e.g. policy/policy.json')
    .optional(),
});

type ParsedConfig = z.infer<typeof configSchema>;
export type TraceguardConfig = Omit<ParsedConfig, 'auditLockMode' | 'auditLockDays'> &
  Required<Pick<ParsedConfig, 'auditLockMode' | 'auditLockDays'>>;

/** A trial deployment: its audit export is locked briefly and in governance mode, so it can be cleaned up. */
export const isTrialStage = (stage: string): boolean => stage === 'dev' || stage.startsWith('dev-');

/** Fills the defaults that depend on the stage. */
function withStageDefaults(config: ParsedConfig): TraceguardConfig {
  const trial = isTrialStage(config.stage);
  return {
    ...config,
    auditLockMode: config.auditLockMode ?? (trial ? 'governance' : 'compliance'),
    auditLockDays: config.auditLockDays ?? (trial ? 1 : 366 * config.auditRetentionYears),
  };
}

export const configContextKeys = Object.keys(configSchema.shape) as (keyof TraceguardConfig)[];

/** Something that can hand out CDK context values (an App or any construct node). */
export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * Reads and validates the configuration; throws one error that names every bad context key, what was
 * given and what is expected, so `cdk synth` stops before anything is deployed.
 */
export function readConfig(source: ContextSource): TraceguardConfig {
  const raw: Record<string, unknown> = {};
  for (const key of configContextKeys) {
    const value = source.tryGetContext(key);
    // an empty `-c alertEmail=` means "not set", not "invalid address"
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = configSchema.safeParse(raw);
  if (parsed.success) return withStageDefaults(parsed.data);
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.join('.');
    return `CDK context "${key}" = ${JSON.stringify(raw[key])}: ${issue.message}`;
  });
  throw new Error(`Invalid Traceguard configuration: ${problems.join('; ')}`);
}
