import type { CheckSources } from './assess.ts';
import { customersOnFile } from './customers-on-file.ts';
import type { DoNotOnboardEntry } from './do-not-onboard.ts';
import type { Dossier, ReviewStage } from './dossier.ts';
import type {
  CheckSourcesLoader,
  DoNotOnboardList,
  DossierStore,
  OnboardingRegistry,
  RegisteredCustomer,
  RmdStore,
} from './ports.ts';
import type { RmdListing } from './rmd.ts';

/** Onboarding stores held in memory, with the same contracts as the DynamoDB ones (tests, offline runs). */
export class InMemoryDossierStore implements DossierStore {
  readonly dossiers = new Map<string, Dossier>();
  readonly tokens = new Map<string, string>();

  async create(dossier: Dossier): Promise<boolean> {
    if (this.dossiers.has(dossier.applicationId)) return false;
    this.dossiers.set(dossier.applicationId, structuredClone(dossier));
    return true;
  }
  async get(applicationId: string): Promise<Dossier | null> {
    return structuredClone(this.dossiers.get(applicationId) ?? null);
  }
  async save(dossier: Dossier): Promise<void> {
    this.dossiers.set(dossier.applicationId, structuredClone(dossier));
  }
  async list(): Promise<Dossier[]> {
    return [...this.dossiers.values()].map((d) => structuredClone(d));
  }
  async forCustomer(customerId: string): Promise<Dossier | null> {
    const mine = [...this.dossiers.values()].filter((d) => d.customerId === customerId);
    return structuredClone(mine.find((d) => d.status === 'activated') ?? mine.at(-1) ?? null);
  }
  async saveToken(applicationId: string, stage: ReviewStage, token: string): Promise<void> {
    this.tokens.set(`${applicationId}#${stage}`, token);
  }
  async getToken(applicationId: string, stage: ReviewStage): Promise<string | null> {
    return this.tokens.get(`${applicationId}#${stage}`) ?? null;
  }
  async deleteToken(applicationId: string, stage: ReviewStage): Promise<void> {
    this.tokens.delete(`${applicationId}#${stage}`);
  }
}

export class InMemoryDoNotOnboardList implements DoNotOnboardList {
  readonly entries = new Map<string, DoNotOnboardEntry>();
  constructor(entries: DoNotOnboardEntry[] = []) {
    for (const e of entries) this.entries.set(e.entry_id, e);
  }
  async list(): Promise<DoNotOnboardEntry[]> {
    return [...this.entries.values()];
  }
  async add(entry: DoNotOnboardEntry): Promise<void> {
    this.entries.set(entry.entry_id, entry);
  }
  async remove(entryId: string): Promise<void> {
    this.entries.delete(entryId);
  }
}

export class InMemoryRmdStore implements RmdStore {
  readonly listings = new Map<string, RmdListing>();
  async replaceAll(listings: Iterable<RmdListing>): Promise<number> {
    this.listings.clear();
    for (const l of listings) this.listings.set(l.rmd_number, l);
    return this.listings.size;
  }
  async get(rmdNumber: string): Promise<RmdListing | null> {
    return this.listings.get(rmdNumber) ?? null;
  }
}

export class InMemoryOnboardingRegistry implements OnboardingRegistry {
  readonly customers = new Map<string, RegisteredCustomer>();
  async put(customer: RegisteredCustomer): Promise<void> {
    this.customers.set(customer.customer_id, structuredClone(customer));
  }
  async get(customerId: string): Promise<RegisteredCustomer | null> {
    return structuredClone(this.customers.get(customerId) ?? null);
  }
  async list(): Promise<RegisteredCustomer[]> {
    return [...this.customers.values()].map((c) => structuredClone(c));
  }
}

export interface InMemorySourceDeps {
  doNotOnboard: DoNotOnboardList;
  rmd: InMemoryRmdStore;
  /** the customers onboarding registered, and their dossiers (none when left out) */
  onFile?: { registry: OnboardingRegistry; dossiers: DossierStore };
  dno?: Set<string>;
  /** number -> customer ids holding it */
  holders?: Map<string, string[]>;
}

/** Check sources read from the in-memory stores at each check, plus a fixed DNO list and inventory. */
export class InMemoryCheckSources implements CheckSourcesLoader {
  readonly #deps: InMemorySourceDeps;
  constructor(deps: InMemorySourceDeps) {
    this.#deps = deps;
  }
  async load(): Promise<CheckSources> {
    const rmd = new Map(this.#deps.rmd.listings);
    const holders = this.#deps.holders ?? new Map<string, string[]>();
    return {
      doNotOnboard: await this.#deps.doNotOnboard.list(),
      rmd: (n) => rmd.get(n) ?? null,
      dno: this.#deps.dno ?? new Set(),
      holders: (n) => holders.get(n) ?? [],
      customers: this.#deps.onFile ? await customersOnFile(this.#deps.onFile) : [],
    };
  }
}
