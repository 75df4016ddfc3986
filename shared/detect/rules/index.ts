import { ANI_ROTATION } from './ANI_ROTATION.ts';
import { ATTESTATION_MISMATCH } from './ATTESTATION_MISMATCH.ts';
import { CALLING_EQUALS_CALLED } from './CALLING_EQUALS_CALLED.ts';
import { FICTITIOUS_CALLING_NUMBER } from './FICTITIOUS_CALLING_NUMBER.ts';
import { HIGH_FANOUT } from './HIGH_FANOUT.ts';
import { LOW_ACD } from './LOW_ACD.ts';
import { LOW_ASR } from './LOW_ASR.ts';
import { NEIGHBOR_SPOOFING } from './NEIGHBOR_SPOOFING.ts';
import { OTHER_CUSTOMERS_NUMBER } from './OTHER_CUSTOMERS_NUMBER.ts';
import { OUTSIDE_CALLING_HOURS } from './OUTSIDE_CALLING_HOURS.ts';
import { REJECTION_RATIO } from './REJECTION_RATIO.ts';
import { REPEAT_CALLS } from './REPEAT_CALLS.ts';
import { SHORT_CALL_RATIO } from './SHORT_CALL_RATIO.ts';
import { TRACEBACK_HISTORY } from './TRACEBACK_HISTORY.ts';
import { UNDECLARED_CALLING_NUMBER } from './UNDECLARED_CALLING_NUMBER.ts';
import { UNDECLARED_SOURCE_IP } from './UNDECLARED_SOURCE_IP.ts';
import { UNIFORM_DURATION } from './UNIFORM_DURATION.ts';
import { UNSIGNED_OR_GATEWAY_ATTESTATION } from './UNSIGNED_OR_GATEWAY_ATTESTATION.ts';
import { VOLUME_ABOVE_DECLARED } from './VOLUME_ABOVE_DECLARED.ts';
import { VOLUME_SPIKE } from './VOLUME_SPIKE.ts';
import { WITHHELD_CALLING_NUMBER } from './WITHHELD_CALLING_NUMBER.ts';

/**
 * Every soft rule, in the order findings list their reasons. The policy schema, the rule codes'
 * type and the README's rule table all follow this list.
 */
export const SOFT_RULE_MODULES = [
  SHORT_CALL_RATIO,
  LOW_ASR,
  LOW_ACD,
  UNIFORM_DURATION,
  REJECTION_RATIO,
  VOLUME_SPIKE,
  VOLUME_ABOVE_DECLARED,
  UNDECLARED_SOURCE_IP,
  UNDECLARED_CALLING_NUMBER,
  HIGH_FANOUT,
  ANI_ROTATION,
  NEIGHBOR_SPOOFING,
  CALLING_EQUALS_CALLED,
  FICTITIOUS_CALLING_NUMBER,
  WITHHELD_CALLING_NUMBER,
  UNSIGNED_OR_GATEWAY_ATTESTATION,
  ATTESTATION_MISMATCH,
  OTHER_CUSTOMERS_NUMBER,
  OUTSIDE_CALLING_HOURS,
  REPEAT_CALLS,
  TRACEBACK_HISTORY,
] as const;

export type SoftRuleCode = (typeof SOFT_RULE_MODULES)[number]['code'];
export const SOFT_RULES: readonly SoftRuleCode[] = SOFT_RULE_MODULES.map((r) => r.code);

/** Regulatory rules no policy can relax (hard-rules.ts). */
export const HARD_RULES = [
  'DNO_CALLING_NUMBER',
  'INVALID_CALLING_NUMBER',
  'CALLS_AFTER_ENFORCEMENT',
] as const;
export type HardRuleCode = (typeof HARD_RULES)[number];

/** Every code a finding's reason can carry: a misspelled code does not compile. */
export type ReasonCode = SoftRuleCode | HardRuleCode;
