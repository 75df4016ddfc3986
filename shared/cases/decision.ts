import { z } from 'zod';

export const DECISIONS = ['dismiss', 'warn', 'suspend', 'terminate'] as const;

/** A review decision as a person submits it (CLI) and as the state machine receives it back. */
export const reviewDecisionSchema = z.object({
  decision: z.enum(DECISIONS, { error: `must be one of ${DECISIONS.join(', ')}` }),
  reason: z
    .string({ error: 'is required: say why, in words a regulator can read' })
    .trim()
    .min(10, { error: 'must explain the decision in at least 10 characters' })
    .max(2000, { error: 'must be at most 2000 characters' }),
  decidedBy: z
    .string({ error: 'is required: who decided' })
    .trim()
    .min(1, { error: 'must name who decided' })
    .max(512, { error: 'must be at most 512 characters' })
    // the audit log's automated steps act as `system`: a person deciding under that name would blend in
    .refine((by) => by.toLowerCase() !== 'system', {
      error: "must name a person: 'system' is the name of the automated steps in the audit log",
    }),
  /** the IAM identity the person decided under, as the decision function verified it */
  decidedByArn: z.string().max(2048).optional(),
});
export type ReviewDecision = z.infer<typeof reviewDecisionSchema>;

export class InvalidDecision extends Error {
  override name = 'InvalidDecision';
}

/** Validates a decision; the error lists every bad field as `field: problem`. */
export function parseReviewDecision(input: unknown, where: string): ReviewDecision {
  const parsed = reviewDecisionSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'decision'} ${i.message}`);
  throw new InvalidDecision(`${where}: ${problems.join('; ')}`);
}
