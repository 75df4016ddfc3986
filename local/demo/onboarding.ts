import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAuditStore } from '../../shared/aws/audit-store.ts';
import { SfnReviewCallbacks } from '../../shared/aws/cases-sfn.ts';
import { SfnOnboardingStarter } from '../../shared/aws/onboarding-sfn.ts';
import { DynamoDoNotOnboardList, DynamoDossierStore } from '../../shared/aws/onboarding-store.ts';
import { doNotOnboardEntrySchema } from '../../shared/kyc/do-not-onboard.ts';
import type { Dossier, ReviewStage } from '../../shared/kyc/dossier.ts';
import { decideApplication, submitApplication } from '../../shared/kyc/intake.ts';
import { standInCaller } from '../../shared/review/caller.ts';

/**
 * The onboarding part of `npm start`: a terminated customer on the do-not-onboard list, then three
 * applications through the real Onboarding state machine: a clean one the analyst approves, one that
 * resembles the terminated customer (flagged high risk, refused by the executive), and a high-volume
 * marketer that an executive approves after the analyst.
 */
const DIR = join(import.meta.dirname, 'onboarding');
const json = (file: string): unknown => JSON.parse(readFileSync(join(DIR, file), 'utf8'));

type Step = { stage: ReviewStage; decision: 'approve' | 'refuse'; by: string; reason: string };
const SCRIPT: Array<{ file: string; steps: Step[] }> = [
  {
    file: 'clean.json',
    steps: [
      {
        stage: 'analyst',
        decision: 'approve',
        by: 'alice (analyst)',
        reason: 'dossier verified, no check raised anything',
      },
    ],
  },
  {
    file: 'lookalike.json',
    steps: [
      {
        stage: 'analyst',
        decision: 'approve',
        by: 'alice (analyst)',
        reason: 'documents look complete; escalating for the executive',
      },
      {
        stage: 'executive',
        decision: 'refuse',
        by: 'erin (executive)',
        reason: 'same EIN as terminated customer C9042: a re-application under a new name',
      },
    ],
  },
  {
    file: 'marketer.json',
    steps: [
      {
        stage: 'analyst',
        decision: 'approve',
        by: 'alice (analyst)',
        reason: 'consent records and origin IPs verified',
      },
      {
        stage: 'executive',
        decision: 'approve',
        by: 'erin (executive)',
        reason: 'high-volume marketing approved with probation',
      },
    ],
  },
];

async function waitFor(
  dossiers: DynamoDossierStore,
  id: string,
  done: (d: Dossier) => boolean,
): Promise<Dossier> {
  for (let i = 0; i < 600; i++) {
    const d = await dossiers.get(id);
    if (d && done(d)) return d;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`application ${id} did not reach the expected state in 60 s`);
}

export async function runOnboardingDemo(deps: {
  doc: DynamoDBDocumentClient;
  sfn: SFNClient;
  dossiersTable: string;
  /** where the onboarding steps park review task tokens */
  reviewTokensTable: string;
  auditTable: string;
  stateMachineArn: string;
}): Promise<string> {
  const dossiers = new DynamoDossierStore(deps.doc, deps.dossiersTable, deps.reviewTokensTable);
  await new DynamoDoNotOnboardList(deps.doc, deps.dossiersTable).add(
    doNotOnboardEntrySchema.parse(json('terminated.json')),
  );
  const audit = new DynamoAuditStore(deps.doc, deps.auditTable);
  const starter = new SfnOnboardingStarter(deps.sfn, () => deps.stateMachineArn);
  const callbacks = new SfnReviewCallbacks(deps.sfn);
  const lines = ['', 'Onboarding (know your customer):'];
  for (const { file, steps } of SCRIPT) {
    const { dossier } = await submitApplication(json(file), 'demo (sales)', file, {
      dossiers,
      starter,
      audit,
    });
    const id = dossier.applicationId;
    for (const step of steps) {
      // the token is stored before the dossier says it waits, so a waiting dossier can be answered
      const waiting = await waitFor(
        dossiers,
        id,
        (d) => d.awaitingStage === step.stage || d.outcome !== null,
      );
      if (waiting.outcome) break;
      await decideApplication(
        {
          applicationId: id,
          decision: step.decision,
          reason: step.reason,
          caller: standInCaller(step.by, step.stage),
        },
        { dossiers, callbacks, audit },
      );
    }
    const final = await waitFor(dossiers, id, (d) => d.outcome !== null);
    const a = final.assessment;
    lines.push(
      `  ${id}: risk ${a?.risk}${a?.executiveBecause.length ? ` (executive: ${a.executiveBecause.join(', ')})` : ''} -> ${final.outcome?.result}`,
    );
    for (const r of a?.reasons ?? []) lines.push(`    ${r.code}: ${r.detail}`);
  }
  lines.push('  Review them: npx traceguard customers applications; npx traceguard customers show <id>');
  return `${lines.join('\n')}\n`;
}
