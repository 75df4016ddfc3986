import { evidenceDigest, sha256Hex } from './chain.ts';
import type { AuditEntry } from './record.ts';

/**
 * The audit entry for one ComplianceEvents message: what kind of event, for which customer, a
 * digest of the exact body (so the message can later be proven unchanged), and a summary without
 * phone numbers. A body that is not JSON is still recorded, with its digest, never dropped.
 */
export function auditEntryForEvent(body: string, messageId: string): AuditEntry {
  let event: Record<string, unknown>;
  try {
    const parsed = JSON.parse(body) as unknown;
    event =
      parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
  } catch {
    event = {};
  }
  const type = typeof event.type === 'string' ? event.type : 'unknown';
  const customerId = typeof event.customer_id === 'string' ? event.customer_id : undefined;
  const reasons = Array.isArray(event.reasons)
    ? event.reasons.map((r) => String((r as { code?: unknown })?.code ?? '')).filter(Boolean)
    : undefined;
  const summary = pick(event, [
    'severity',
    'score',
    'window_start',
    'window_end',
    'traceback_id',
    'case_id',
    'action',
    'status',
    'revised_from',
    'batch',
  ]);
  return {
    actor: { role: 'system', id: 'system' },
    action: `event.${type}`,
    reason: `ComplianceEvents message ${messageId}`,
    customerId,
    evidenceDigest: sha256Hex(body),
    details: {
      messageId,
      ...summary,
      reasons,
      bodyDigestCanonical: Object.keys(event).length ? evidenceDigest(event) : undefined,
    },
  };
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = source[k];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}
