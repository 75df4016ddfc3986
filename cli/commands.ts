import type { Command } from 'commander';
import * as analyze from './analyze.ts';
import * as audit from './audit.ts';
import * as cases from './cases.ts';
import * as customers from './customers.ts';
import * as dayReview from './day-review.ts';
import * as dlq from './dlq.ts';
import * as quarantine from './quarantine.ts';
import * as reconcile from './reconcile.ts';
import * as switches from './switches.ts';
import * as traceback from './traceback.ts';
import * as upload from './upload.ts';

/**
 * Each subcommand module under cli/ exports `register(program)`; it declares its options here and
 * imports its heavy dependencies (AWS SDK, domain code) lazily inside the action, so `--help` stays fast.
 * Add new subcommands to this list.
 */
const modules: Array<{ register(program: Command): void }> = [
  analyze,
  traceback,
  cases,
  audit,
  customers,
  switches,
  upload,
  quarantine,
  reconcile,
  dayReview,
  dlq,
];

export function registerCommands(program: Command): void {
  for (const m of modules) m.register(program);
}
