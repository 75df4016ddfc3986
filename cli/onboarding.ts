import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { localEndpointsFile } from '../shared/aws/cases-endpoints.ts';
import { identity, printTable } from './cases.ts';
import { resolveTarget } from './customers.ts';
import { UsageError } from './errors.ts';
import { terminalSafe } from './terminal-text.ts';

/**
 * Know your customer from the command line: `traceguard customers apply | applications | show |
 * decide` and `traceguard rmd import`. Against the local stack and AWS alike: the application is
 * stored in the Dossiers table and the Onboarding state machine runs the checks and reviews.
 * ID numbers and addresses are shown only by `show` (the dossier), masked everywhere else.
 */
export function registerOnboarding(customers: Command, program: Command): void {
  customers
    .command('apply')
    .description('Submit an application (JSON) and start its onboarding checks and reviews')
    .argument('<application.json>', 'the application: legal name, address, ID number, volumes, numbers, ...')
    .option('--as <name>', 'who submits (local stack only; in AWS your AWS identity is recorded)')
    .action(async (path: string, options: { as?: string }) => {
      const input = readJson(path);
      const { submitApplication, ApplicationRefused } = await import('../shared/kyc/intake.ts');
      const { InvalidApplication, parseApplication } = await import('../shared/kyc/application.ts');
      try {
        // validate before resolving where to write, so a bad file is named even without a stack
        parseApplication(input, path);
        const c = await connect();
        const { dossier, resubmitted } = await submitApplication(
          input,
          await identity(c.target.local, options.as, 'submits'),
          path,
          c,
        );
        process.stdout.write(
          `application ${dossier.applicationId} ${resubmitted ? 'was already submitted with this content, nothing changed' : 'submitted; checks running'}: traceguard customers show ${dossier.applicationId}\n`,
        );
      } catch (e) {
        if (e instanceof InvalidApplication || e instanceof ApplicationRefused)
          throw new UsageError(e.message);
        throw e;
      }
    });

  customers
    .command('applications')
    .description('Applications, oldest first: risk, what each waits for, outcome')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const { dossiers } = await connect();
      const rows = (await dossiers.list()).map((d) => ({
        application: d.applicationId,
        name: d.application.legal_name,
        risk: d.assessment?.risk ?? '-',
        status: d.awaitingStage ? `awaiting ${d.awaitingStage}` : d.status,
        reasons: (d.assessment?.reasons ?? []).map((r) => r.code).join(','),
      }));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('No applications.\n');
        return;
      }
      printTable(
        ['APPLICATION', 'NAME', 'RISK', 'STATUS', 'REASONS'],
        rows.map((r) => [r.application, r.name, r.risk, r.status, r.reasons].map(terminalSafe)),
      );
    });

  customers
    .command('show <applicationId>')
    .description('The dossier: application, check reasons with evidence, decisions, audit history')
    .option('--json', 'print JSON')
    .action(async (applicationId: string, options: { json?: boolean }) => {
      const c = await connect();
      const dossier = await c.dossiers.get(applicationId);
      if (!dossier) throw new UsageError(`application ${applicationId} does not exist`);
      const { onboardingStream } = await import('../shared/kyc/dossier.ts');
      const history = await c.audit.list(onboardingStream(applicationId));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...dossier, history }, null, 2)}\n`);
        return;
      }
      const { renderDossier } = await import('../shared/kyc/render.ts');
      const text = renderDossier(dossier, history as Parameters<typeof renderDossier>[1]);
      process.stdout.write(`${text.split('\n').map(terminalSafe).join('\n')}`);
    });

  customers
    .command('decide <applicationId>')
    .description('Approve or refuse an application waiting for the analyst or executive review')
    .requiredOption('--decision <decision>', 'approve | refuse')
    .requiredOption('--reason <text>', 'why, in words a regulator can read')
    .option('--as <name>', 'who decides (local stack only; in AWS your AWS identity is recorded)')
    .action(async (applicationId: string, options: { decision: string; reason: string; as?: string }) => {
      const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
      const { sendReviewDecision } = await import('./review-decision.ts');
      const done = await sendReviewDecision(resolveCliTarget(), options.as, {
        kind: 'application',
        applicationId,
        decision: options.decision,
        reason: options.reason,
      });
      process.stdout.write(
        `${done.stage} decision '${done.decision}' recorded for application ${applicationId}\n`,
      );
    });

  customers
    .command('trusted <customerId>')
    .description('As an executive, approve or refuse the track-record review’s proposal to trust a customer')
    .requiredOption('--decision <decision>', 'approve | refuse')
    .requiredOption('--reason <text>', 'why, in words a regulator can read')
    .option('--as <name>', 'who decides (local stack only; in AWS your AWS identity is recorded)')
    .action(async (customerId: string, options: { decision: string; reason: string; as?: string }) => {
      if (options.decision !== 'approve' && options.decision !== 'refuse')
        throw new UsageError(`--decision must be approve or refuse, got '${options.decision}'`);
      const c = await connect();
      const { decideTrusted, TrustedDecisionRefused } = await import('../shared/kyc/trusted-decision.ts');
      const { DynamoOnboardingRegistry } = await import('../shared/aws/onboarding-store.ts');
      const { DynamoCustomerRegistry } = await import('../shared/aws/cases-customers.ts');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const customersTable = c.target.require('CUSTOMERS_TABLE');
      const doc = documentClient();
      try {
        const done = await decideTrusted(
          {
            customerId,
            decision: options.decision,
            reason: options.reason,
            decidedBy: await identity(c.target.local, options.as),
          },
          {
            registry: new DynamoOnboardingRegistry(doc, customersTable),
            // a suspended or terminated customer's proposal is not approved: its status is in the same table
            customers: new DynamoCustomerRegistry(doc, customersTable),
            audit: c.audit,
          },
        );
        process.stdout.write(`customer ${customerId} is ${done.vetting}\n`);
      } catch (e) {
        if (e instanceof TrustedDecisionRefused) throw new UsageError(e.message);
        throw e;
      }
    });

  program
    .command('rmd')
    .description('Robocall Mitigation Database listings used to check provider customers')
    .command('import')
    .description('Load the public RMD export CSV (reads RMD Number, Business Name, FRN, Other DBA Name(s))')
    .argument('<export.csv>', 'the RMD export')
    .action(async (path: string) => {
      const { parseRmdExport } = await import('../shared/kyc/rmd.ts');
      let listings: Map<string, import('../shared/kyc/rmd.ts').RmdListing>;
      try {
        listings = parseRmdExport(readFileSync(path, 'utf8'), path);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      // the public export is never empty: an empty file is a failed download or the wrong file
      if (listings.size === 0)
        throw new UsageError(`${path}: no RMD listings (empty, or only a header); nothing imported`);
      // the listings are all it writes (no audit record): the Dossiers table is all it needs
      const table = await resolveTarget('DOSSIERS_TABLE');
      const { documentClient } = await import('../shared/aws/cases-clients.ts');
      const { DynamoRmdStore } = await import('../shared/aws/onboarding-store.ts');
      const count = await new DynamoRmdStore(documentClient(), table).replaceAll(listings.values());
      process.stdout.write(`imported ${count} RMD listing(s)\n`);
    });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read the application (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not JSON (${(e as Error).message})`);
  }
}

/** The Dossiers table, audit log and Onboarding state machine of the local stack or AWS. */
async function connect() {
  const { resolveCliTarget } = await import('../shared/aws/cases-endpoints.ts');
  const { documentClient } = await import('../shared/aws/cases-clients.ts');
  const { DynamoDossierStore, DynamoRmdStore } = await import('../shared/aws/onboarding-store.ts');
  const { DynamoAuditStore } = await import('../shared/aws/audit-store.ts');
  const { SfnReviewCallbacks } = await import('../shared/aws/cases-sfn.ts');
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const { SfnOnboardingStarter } = await import('../shared/aws/onboarding-sfn.ts');
  let target: import('../shared/aws/cases-endpoints.ts').CliTarget;
  let table: string;
  let auditTable: string;
  try {
    target = resolveCliTarget();
    table = target.require('DOSSIERS_TABLE');
    auditTable = target.require('AUDIT_TABLE');
  } catch (e) {
    throw new UsageError(`${(e as Error).message}; or start the local stack (npm start)`);
  }
  const doc = documentClient();
  const sfn = new SFNClient({});
  return {
    target,
    dossiers: new DynamoDossierStore(doc, table),
    rmd: new DynamoRmdStore(doc, table),
    audit: new DynamoAuditStore(doc, auditTable),
    callbacks: new SfnReviewCallbacks(sfn),
    starter: new SfnOnboardingStarter(
      sfn,
      () => target.optional('ONBOARDING_STATE_MACHINE_ARN') ?? onboardingArnFromOutputs(),
    ),
  };
}

/** The local stack writes the stack outputs beside the environment in its endpoints file. */
function onboardingArnFromOutputs(): string {
  try {
    const file = JSON.parse(readFileSync(localEndpointsFile(), 'utf8')) as {
      outputs?: Record<string, string>;
    };
    const arn = file.outputs?.OnboardingStateMachineArn;
    if (arn) return arn;
  } catch {
    // fall through to the usage error
  }
  throw new UsageError(
    'ONBOARDING_STATE_MACHINE_ARN is not set (stack output OnboardingStateMachineArn); or start the local stack (npm start)',
  );
}
