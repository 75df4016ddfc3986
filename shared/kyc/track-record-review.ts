import { appendAudit } from '../audit/append.ts';
import type { AuditStore } from '../audit/ports.ts';
import { auditRecordSchema } from '../audit/record.ts';
import type { CustomerStatus } from '../cases/model.ts';
import type { CustomerRegistry, Notifier, TerminationHook } from '../cases/ports.ts';
import { customerEntryId, entryForTerminatedCustomer } from './do-not-onboard.ts';
import { recordListChange } from './do-not-onboard-audit.ts';
import type { OnboardingRegistry, RegisteredCustomer } from './ports.ts';
import { trackRecordHeldBecause } from './standing.ts';
import { identifiersOfCustomer, type StoppedCustomerDeps } from './suspended-entry.ts';
import {
  reviewTrackRecord,
  TRACK_RECORD_POLICY,
  type TrackRecordAction,
  type TrackRecordActivity,
} from './track-record.ts';
import { openTrustedProposals, TRACK_RECORD_STREAM } from './trusted-decision.ts';

export { TRACK_RECORD_STREAM };

export interface TrackRecordDeps {
  registry: OnboardingRegistry;
  /** the customer's status in the Customers table (the case workflow writes it), read as onboarding does */
  customers: Pick<CustomerRegistry, 'get'>;
  activity: (customerId: string, since: string) => Promise<TrackRecordActivity>;
  notifier: Notifier;
  audit: AuditStore;
  /** submits the customer's renewal for re-verification (reverification.ts); null: no dossier on file */
  reverify?: (
    customer: RegisteredCustomer,
  ) => Promise<{ applicationId: string; started: 'started' | 'already' } | null>;
  now?: () => Date;
}

/** A customer the review left as it is, because enforcement stopped it. */
export interface TrackRecordSkip {
  customerId: string;
  status: CustomerStatus;
  why: string;
}

export interface TrackRecordResult {
  actions: Array<{ customerId: string; action: TrackRecordAction }>;
  skipped: TrackRecordSkip[];
}

const SKIPPED = 'track_record.skipped';

/** The status change each customer's latest skip record was about (`<status>@<since>`). */
function skipsRecorded(records: readonly unknown[]): Map<string, string> {
  const recorded = new Map<string, string>();
  for (const raw of records) {
    const parsed = auditRecordSchema.safeParse(raw);
    if (!parsed.success || parsed.data.action !== SKIPPED || !parsed.data.customerId) continue;
    const { status, statusChangedAt } = parsed.data.details ?? {};
    recorded.set(parsed.data.customerId, `${status}@${statusChangedAt}`);
  }
  return recorded;
}

/**
 * The scheduled review: for every registered customer, apply what its track record says. A promotion
 * to `standard` and a clock reset are written to the registry the ingest reads (so detection's
 * thresholds follow the tier); a proposal for `trusted` and a re-verification go to the reviewers.
 * A terminated or suspended customer is skipped (standing.ts says why); each run names the skipped
 * ones, and the audit chain records a skip once per status change, not every day.
 */
export async function runTrackRecordReview(deps: TrackRecordDeps): Promise<TrackRecordResult> {
  const now = (deps.now ?? (() => new Date()))();
  const done: Array<{ customerId: string; action: TrackRecordAction }> = [];
  const skipped: TrackRecordSkip[] = [];
  const records = await deps.audit.list(TRACK_RECORD_STREAM);
  // a proposal waits for an executive: proposing it again every day would page reviewers daily
  const proposed = openTrustedProposals(records);
  const skipsInChain = skipsRecorded(records);
  for (const customer of await deps.registry.list()) {
    const standing = await deps.customers.get(customer.customer_id);
    const held = standing && trackRecordHeldBecause(standing);
    if (standing && held) {
      skipped.push({ customerId: customer.customer_id, status: standing.status, why: held });
      const statusChangedAt = standing.statusChangedAt ?? null;
      if (skipsInChain.get(customer.customer_id) !== `${standing.status}@${statusChangedAt}`)
        await appendAudit(
          deps.audit,
          TRACK_RECORD_STREAM,
          {
            actor: { role: 'system', id: 'system' },
            action: SKIPPED,
            reason: held,
            customerId: customer.customer_id,
            details: { vetting: customer.vetting, status: standing.status, statusChangedAt },
          },
          () => now,
        );
      continue;
    }
    const activity = await deps.activity(customer.customer_id, customer.tier_since);
    for (const action of reviewTrackRecord(customer, activity, now, TRACK_RECORD_POLICY)) {
      if (action.kind === 'propose_trusted' && proposed.has(customer.customer_id)) continue;
      const renewal = action.kind === 'reverify' && deps.reverify ? await deps.reverify(customer) : null;
      // this verification cycle's renewal is already with the reviewers
      if (renewal?.started === 'already') continue;
      if (action.kind === 'promote') {
        await deps.registry.put({ ...customer, vetting: action.to, tier_since: now.toISOString() });
      } else if (action.kind === 'reset_clock') {
        await deps.registry.put({ ...customer, tier_since: action.since });
      } else {
        const subject =
          action.kind === 'propose_trusted'
            ? `Traceguard: customer ${customer.customer_id} proposed for trusted vetting (executive approval)`
            : `Traceguard: customer ${customer.customer_id} is due for re-verification`;
        const next =
          action.kind !== 'reverify' || !deps.reverify
            ? ''
            : renewal
              ? `; renewal application ${renewal.applicationId} submitted: the onboarding checks and reviews run again`
              : '; no dossier on file: re-verify by hand';
        await deps.notifier.notifyOnCall({
          subject,
          text: `${subject}: ${action.why}${next}`,
          caseId: `track-record#${customer.customer_id}`,
          customerId: customer.customer_id,
          severity: 'low',
        });
      }
      await appendAudit(
        deps.audit,
        TRACK_RECORD_STREAM,
        {
          actor: { role: 'system', id: 'system' },
          action: `track_record.${action.kind}`,
          reason: action.why,
          customerId: customer.customer_id,
          details: {
            vetting: customer.vetting,
            ...(action.kind === 'promote' ? { to: action.to } : {}),
            ...(renewal ? { applicationId: renewal.applicationId } : {}),
          },
        },
        () => now,
      );
      done.push({ customerId: customer.customer_id, action });
    }
  }
  return { actions: done, skipped };
}

/**
 * A terminated customer's identifiers join the do-not-onboard list: every identifier of its
 * activating dossier (or, for a customer onboarded before dossiers existed, its registry name). The
 * entry it had while suspended goes once this one is written: one entry per customer. Each change is
 * recorded once, however often a retried enforce step runs this.
 */
export async function addTerminatedToDoNotOnboard(
  customerId: string,
  why: string,
  deps: StoppedCustomerDeps & { audit: AuditStore; now?: () => Date },
): Promise<void> {
  const now = (deps.now ?? (() => new Date()))();
  const { identifiers, from } = await identifiersOfCustomer(customerId, deps);
  await deps.doNotOnboard.add(entryForTerminatedCustomer(customerId, identifiers, why, now));
  await recordListChange(
    deps.audit,
    { change: 'added', customerId, source: 'terminated', reason: why, details: { from } },
    () => now,
  );
  await deps.doNotOnboard.remove(customerEntryId('suspended', customerId));
  await recordListChange(
    deps.audit,
    {
      change: 'removed',
      customerId,
      source: 'suspended',
      reason: `terminated, replaced by the termination's entry: ${why}`.slice(0, 2000),
    },
    () => now,
  );
}

/** The escalation workflow's termination hook: a terminated customer joins the do-not-onboard list. */
export class DoNotOnboardOnTermination implements TerminationHook {
  readonly #deps: Parameters<typeof addTerminatedToDoNotOnboard>[2];
  constructor(deps: Parameters<typeof addTerminatedToDoNotOnboard>[2]) {
    this.#deps = deps;
  }
  terminated(customerId: string, why: string): Promise<void> {
    return addTerminatedToDoNotOnboard(customerId, why, this.#deps);
  }
}
