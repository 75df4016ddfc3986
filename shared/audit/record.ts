import { z } from 'zod';

/** Who acted: the pipeline itself, or a named person in a review role. */
export const actorSchema = z.object({
  role: z.enum(['system', 'analyst', 'executive']),
  /** `system` for the pipeline; an AWS principal ARN or a `--as` name for people */
  id: z.string().min(1),
});
export type Actor = z.infer<typeof actorSchema>;

/** What a caller asks to record; sequence, time and hashes are added by the chain. */
export const auditEntrySchema = z.object({
  actor: actorSchema,
  /** what happened, a stable verb: `case.opened`, `case.attached`, `decision.analyst`, `event.finding`, ... */
  action: z.string().min(1),
  /** why, in words a regulator can read */
  reason: z.string(),
  caseId: z.string().optional(),
  customerId: z.string().optional(),
  /** SHA-256 of the canonical JSON of the evidence the action relied on */
  evidenceDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)')
    .optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditRecordSchema = auditEntrySchema.extend({
  /** chain name; one chain per case (`case#<id>`) and one for raw compliance events */
  stream: z.string().min(1),
  /** 1-based position in the stream, no gaps */
  seq: z.number().int().positive(),
  /** ISO 8601 UTC time the record was appended */
  at: z.string().min(1),
  /** hash of the record before (64 zeros for the first) */
  prevHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** SHA-256 over the canonical JSON of this record without `hash` */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * written together with the stream's head (see AuditHead): a stream holding such a record must have
   * a head, so deleting the head with the records it names does not pass for a stream from before
   * heads were kept
   */
  anchored: z.literal(true).optional(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

export const GENESIS_HASH = '0'.repeat(64);
