/**
 * The normalized call record every reader produces, whatever the switch format.
 * Times are epoch milliseconds (UTC); numbers are E.164 strings when they could be normalized.
 */
/** '' = unsigned; '?' = the source does not report attestation at all (native formats, no such column) */
export type Attestation = 'A' | 'B' | 'C' | '' | '?';
export type Verstat = 'TN-Validation-Passed' | 'TN-Validation-Failed' | 'No-TN-Validation' | '';

/** NANP / E.164 validity class of a calling number (domain-notes 1.3). */
export type NumberClass =
  | 'valid' // a plausible geographic NANP number or a well-formed international number
  | 'blank' // empty or withheld caller ID (anonymous, Private Caller, OUT OF AREA ...)
  | 'invalid_digits' // could not be normalized (letters, too short, too long)
  | 'invalid_npa' // area code not assignable (N9X, 37X, 96X, 0/1 first digit, N11 and the other easily recognisable codes such as 222)
  | 'invalid_nxx' // exchange not assignable (0/1 first digit, N11)
  | 'fictitious' // 555-01XX, 555-1212, 555-4334
  | 'toll_free' // 8YY
  | 'premium' // 900
  | 'non_geographic'; // 500/52X/533/544/566/577/588/600/622/700/710

export interface CallRecord {
  callId: string;
  /** seizure time, epoch ms UTC */
  startMs: number;
  answerMs: number | null;
  endMs: number | null;
  /** billable seconds (0 when unanswered) */
  durationS: number;
  answered: boolean;
  customerId: string;
  trunkId: string;
  /** E.164 when normalizable, else the raw text (kept verbatim, never dropped) */
  calling: string;
  callingClass: NumberClass;
  called: string;
  calledClass: NumberClass;
  sipCode: number | null;
  disposition: string;
  attestation: Attestation;
  verstat: Verstat;
  sourceIp: string;
  /** 1-based physical line in the batch where the record starts (for evidence and quarantine) */
  line: number;
}

/** A row that could not be used: kept with its line and the reason, written to quarantine. */
export interface QuarantinedRow {
  line: number;
  reason: string;
  raw: string;
  /** the fields of a CSV row that hold ids, when the layout of its batch says (IdFields) */
  ids?: IdFields;
}

/**
 * Which fields of a quarantined CSV row hold ids (call id, customer, trunk: an Asterisk row's
 * accountcode and uniqueid), 0-based, for a row of `fields` fields. Where phone numbers are masked,
 * an id shown as `***6789` names no customer a person can look up, so these stay as written; a row
 * that no longer splits into `fields` fields (cut short) has no telling which is which, and is masked
 * whole.
 */
export interface IdFields {
  fields: number;
  at: number[];
}
