import type { Customer } from '../detect/customers.ts';
import type { Application } from './application.ts';
import type { CheckSources } from './assess.ts';
import type { DoNotOnboardEntry } from './do-not-onboard.ts';
import type { Dossier, ReviewStage } from './dossier.ts';
import type { RmdListing } from './rmd.ts';

/** Dossiers and their review task tokens (an encrypted DynamoDB table in AWS). */
export interface DossierStore {
  /** false when an application with that id exists already */
  create(dossier: Dossier): Promise<boolean>;
  get(applicationId: string): Promise<Dossier | null>;
  save(dossier: Dossier): Promise<void>;
  list(): Promise<Dossier[]>;
  /** the dossier that activated (or last applied for) a customer */
  forCustomer(customerId: string): Promise<Dossier | null>;
  saveToken(applicationId: string, stage: ReviewStage, token: string): Promise<void>;
  getToken(applicationId: string, stage: ReviewStage): Promise<string | null>;
  deleteToken(applicationId: string, stage: ReviewStage): Promise<void>;
}

export interface DoNotOnboardList {
  list(): Promise<DoNotOnboardEntry[]>;
  /** idempotent: the same entry id twice keeps one entry */
  add(entry: DoNotOnboardEntry): Promise<void>;
  /** idempotent: removing an entry that is not there does nothing */
  remove(entryId: string): Promise<void>;
}

export interface RmdStore {
  replaceAll(listings: Iterable<RmdListing>): Promise<number>;
  get(rmdNumber: string): Promise<RmdListing | null>;
}

/** What the checks read, gathered once per application (the RMD listing it names, the lists). */
export interface CheckSourcesLoader {
  load(application: Application): Promise<CheckSources>;
}

/** An activated customer in the registry the ingest reads, with its track-record dates. */
export interface RegisteredCustomer extends Customer {
  /** when the current tier's clock started: activation, promotion, or the last reset */
  tier_since: string;
  /** when the dossier was last verified (activation or re-verification) */
  verified_at: string;
}

/** The customer registry, seen from onboarding and the track-record review. */
export interface OnboardingRegistry {
  put(customer: RegisteredCustomer): Promise<void>;
  get(customerId: string): Promise<RegisteredCustomer | null>;
  list(): Promise<RegisteredCustomer[]>;
}

/** Started once per application id; a second start of the same id is a no-op. */
export interface OnboardingStarter {
  start(applicationId: string): Promise<'started' | 'already'>;
}

export interface OnboardingCallbacks {
  succeed(token: string, output: unknown): Promise<void>;
}
