import { csvObjects, ReferenceDataError } from '../detect/reference-csv.ts';
import type { Application } from './application.ts';
import type { CheckReason } from './check-reason.ts';
import { closestNames } from './name-match.ts';
import { nameWords } from './tokens.ts';

/**
 * The Robocall Mitigation Database listing of provider customers. The FCC publishes the RMD as a CSV
 * export; of its many columns Traceguard reads four, matched by header name case-insensitively, and
 * ignores the rest: `RMD Number`, `Business Name`, `FRN` and `Other DBA Name(s)`.
 */
export const RMD_COLUMNS = {
  rmdNumber: 'rmd number',
  businessName: 'business name',
  frn: 'frn',
  otherNames: 'other dba name(s)',
} as const;

export interface RmdListing {
  rmd_number: string;
  business_name: string;
  frn: string;
  other_names: string[];
}

/** Parses the export; a row without an RMD number in the RMD0000000 shape is an error naming its line. */
export function parseRmdExport(text: string, source: string): Map<string, RmdListing> {
  const listings = new Map<string, RmdListing>();
  const rows = csvObjects(text, source, [RMD_COLUMNS.rmdNumber, RMD_COLUMNS.businessName]);
  for (const { line, row } of rows) {
    const rmdNumber = (row[RMD_COLUMNS.rmdNumber] ?? '').toUpperCase();
    if (!/^RMD\d{7}$/.test(rmdNumber)) {
      throw new ReferenceDataError(
        `${source}: line ${line}: RMD Number '${rmdNumber.slice(0, 20)}' is not RMD0000000`,
      );
    }
    listings.set(rmdNumber, {
      rmd_number: rmdNumber,
      business_name: row[RMD_COLUMNS.businessName] ?? '',
      frn: row[RMD_COLUMNS.frn] ?? '',
      other_names: (row[RMD_COLUMNS.otherNames] ?? '')
        .split(/[;|]/)
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    });
  }
  return listings;
}

/** Listing of the RMD number, or null; the lookup port the check needs. */
export type RmdLookup = (rmdNumber: string) => RmdListing | null;

const SAME_NAME_SHARE = 0.5;

/** Provider customers must be listed in the RMD under their own name (or a listed DBA) and FRN. */
export function checkRmdListing(app: Application, lookup: RmdLookup): CheckReason[] {
  if (!app.provider || !app.rmd) return [];
  const listing = lookup(app.rmd.rmd_number);
  if (!listing) {
    return [
      {
        code: 'RMD_NOT_LISTED',
        risk: 'high',
        detail: `provider customer's RMD number ${app.rmd.rmd_number} is not in the imported Robocall Mitigation Database`,
        evidence: { rmd_number: app.rmd.rmd_number },
      },
    ];
  }
  const applicantNames = [app.legal_name, ...(app.dba ? [app.dba] : [])].map(nameWords);
  const listedNames = [listing.business_name, ...listing.other_names].map(nameWords);
  const best = closestNames(applicantNames, listedNames)?.similarity ?? 0;
  const frnDiffers = app.rmd.frn !== undefined && listing.frn !== '' && listing.frn !== app.rmd.frn;
  if (best >= SAME_NAME_SHARE && !frnDiffers) return [];
  return [
    {
      code: 'RMD_NAME_MISMATCH',
      risk: 'medium',
      detail: frnDiffers
        ? `RMD ${listing.rmd_number} is filed under FRN ${listing.frn}, not the FRN the application gives`
        : `RMD ${listing.rmd_number} is filed by '${listing.business_name}', not by the applicant`,
      evidence: { rmd_number: listing.rmd_number, listed_name: listing.business_name, name_similarity: best },
    },
  ];
}
