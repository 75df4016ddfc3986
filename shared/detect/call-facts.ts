import { numberKey, PLAIN_E164 } from '../cdr/number-key.ts';
import { PackedCall, packRecord } from '../cdr/packed-call.ts';
import { destinationOf } from '../cdr/phone.ts';
import type { CallRecord } from '../cdr/record.ts';
import type { CustomerDeclarations } from './declarations.ts';
import { type PairParts, pairParts } from './distinct.ts';
import { zoneIndexOfNpa, zoneIndexOfNumber } from './npa-zones.ts';
import { keyHigh, keyLow, NumberSet } from './number-set.ts';
import { type InventoryKeys, keyHasPrefix, type NumberInventory, type ReferenceData } from './reference.ts';

export const DEST_PSTN = 0;
export const DEST_ON_NET = 1;
export const DEST_EMERGENCY = 2;
const DESTINATION_CODE = { pstn: DEST_PSTN, on_net: DEST_ON_NET, emergency: DEST_EMERGENCY } as const;
/** the exact holder of a caller ID (NumberInventory.exactHolder) when the call's check has not looked it up */
const NOT_LOOKED_UP = -2;

/** What a call contributes beyond its own fields: the reference and numbering checks, done once per call. */
export interface CallFacts extends PairParts {
  callingEqualsCalled: boolean;
  neighborNpaNxx: boolean;
  dno: boolean;
  /** 0 not checked against an inventory, 1 inside it, 2 outside it (any attestation) */
  inventory: number;
  /** 0 the customer declared no numbers (or no caller ID), 1 a declared or inventory number, 2 neither */
  declaredCalling: number;
  /**
   * the customer number (NumberInventory.customerIdOf) of another customer holding the caller ID in
   * its inventory, exactly or by its longest prefix covering it, when this customer neither holds
   * nor declared it; else -1
   */
  otherHolder: number;
  /** 0 the customer declared no addresses (or the call has none), 1 from a declared range, 2 from elsewhere */
  declaredSource: number;
  /** DEST_PSTN, DEST_ON_NET or DEST_EMERGENCY */
  destination: number;
  /** index in ZONE_GROUPS of the called party's zone(s), -1 unknown */
  zone: number;
  // and the (calling, called) pair's key, split (pairHi, pairLo): 0 for a call without a caller ID
}

/**
 * The inventory check (0 none, 1 inside, 2 outside) widened by the numbers the customer declared at
 * onboarding: a number declared with its proof of right is the customer's as much as one in the
 * carrier's inventory, for the attestation checks as for the declared-number one.
 */
function withDeclared(
  inventory: number,
  declared: CustomerDeclarations | null,
  blank: boolean,
  /** the caller ID's key, split (see KEY_SPLIT) */
  callingHi: number,
  callingLo: number,
): number {
  if (blank || declared === null || declared.numbers === null) return inventory;
  return inventory === 1 || declared.numbers.hasParts(callingHi, callingLo) ? 1 : 2;
}

/** 0 when the customer declared no numbers (or the call shows none), else the widened inventory check */
function declaredCalling(declared: CustomerDeclarations | null, blank: boolean, inventory: number): number {
  return blank || declared === null || declared.numbers === null ? 0 : inventory;
}

/** A customer's inventory as keys, kept with the customer: valid while the inventory's revision is the same. */
export interface InventoryCache {
  inventory: InventoryKeys | null;
  inventoryOf: NumberInventory | null;
  inventoryRevision: number;
  /** the customer's declarations, valid while `declaredOf` is the reference's map */
  declared: CustomerDeclarations | null;
  declaredOf: Map<string, CustomerDeclarations> | null;
}

/**
 * Derives a call's facts, from a CallRecord (any reader) or a PackedCall (the canonical fast path):
 * both give the same answers, the packed one by integer checks on number keys instead of strings.
 * One `facts` object is reused: read it before the next call.
 */
export class CallFactsReader {
  readonly facts: CallFacts = {
    callingEqualsCalled: false,
    neighborNpaNxx: false,
    dno: false,
    inventory: 0,
    declaredCalling: 0,
    otherHolder: -1,
    declaredSource: 0,
    destination: DEST_PSTN,
    zone: -1,
    pairHi: 0,
    pairLo: 0,
  };
  private readonly ref: ReferenceData;
  /** a CallRecord becomes this, so both kinds of call fold alike */
  private readonly scratch = new PackedCall();
  private dnoKeys: NumberSet | null = null;
  private dnoSource: Set<string> | null = null;
  private dnoSize = -1;

  constructor(ref: ReferenceData) {
    this.ref = ref;
  }

  /**
   * The record as a PackedCall, its facts in `facts`: `packed` when the reader already packed it
   * (BatchSink.call), else packed into a reused one.
   */
  ofRecord(r: CallRecord, packed?: PackedCall): PackedCall {
    const p = packed ?? packRecord(r, this.scratch);
    const blank = r.callingClass === 'blank';
    const f = this.facts;
    f.callingEqualsCalled = r.calling === r.called;
    f.neighborNpaNxx =
      r.calling.length === 12 &&
      r.called.length === 12 &&
      r.calling.startsWith('+1') &&
      r.called.startsWith('+1') &&
      r.calling.slice(0, 8) === r.called.slice(0, 8);
    f.dno = this.ref.dno.has(r.calling);
    const declared = this.ref.declarations.get(r.customerId) ?? null;
    const chi = keyHigh(p.callingKey);
    f.inventory = withDeclared(
      !blank && this.ref.inventory.hasCustomer(r.customerId)
        ? this.ref.inventory.owns(r.customerId, r.calling)
          ? 1
          : 2
        : 0,
      declared,
      blank,
      chi,
      keyLow(p.callingKey, chi),
    );
    f.declaredCalling = declaredCalling(declared, blank, f.inventory);
    f.otherHolder = this.otherHolder(blank, f.inventory, NOT_LOOKED_UP, chi, keyLow(p.callingKey, chi));
    f.declaredSource =
      declared === null || !declared.checksSources || r.sourceIp === ''
        ? 0
        : declared.containsAddress(r.sourceIp)
          ? 1
          : 2;
    p.sourceIpV4 = -1;
    f.destination = DESTINATION_CODE[destinationOf(r.called)];
    f.zone = zoneIndexOfNumber(r.called);
    this.pairOf(blank, p.callingKey, p.calledKey);
    return p;
  }

  /**
   * The facts of a fast-path call, in `facts`. Its numbers are keys of plain E.164 text, so the
   * string checks of ofRecord become integer checks with the same answers.
   */
  ofPacked(p: PackedCall, customer: InventoryCache): void {
    const blank = p.callingClass === 'blank';
    const ck = p.callingKey;
    const dk = p.calledKey;
    const f = this.facts;
    // the caller ID's key split (see KEY_SPLIT): the checks below take it so (meaningless when blank)
    const chi = keyHigh(ck);
    const clo = keyLow(ck, chi);
    f.callingEqualsCalled = !blank && ck === dk;
    // both +1 numbers with the same first 8 characters (+1NPANXX), as the reader cut them out
    const npaNxx = p.callingNpaNxx;
    f.neighborNpaNxx = !blank && npaNxx >= 0 && npaNxx === p.calledNpaNxx;
    f.dno = !blank && this.dnoKeySet().hasParts(chi, clo);
    let inventory = 0;
    // who lists the caller ID exactly: this customer, another, or nobody (-1)
    let exact = NOT_LOOKED_UP;
    if (!blank) {
      const inv = this.ref.inventory;
      if (customer.inventoryOf !== inv || customer.inventoryRevision !== inv.revision) {
        customer.inventory = inv.keysOf(p.customerId);
        customer.inventoryOf = inv;
        customer.inventoryRevision = inv.revision;
      }
      const keys = customer.inventory;
      const own = keys === null ? -1 : keys.customerNo;
      exact = inv.exactHolder(own, chi, clo);
      if (keys !== null)
        inventory =
          (own >= 0 && exact === own) || (keys.prefixes.length > 0 && keyHasPrefix(ck, keys.prefixes))
            ? 1
            : 2;
    }
    const decls = this.ref.declarations;
    if (customer.declaredOf !== decls) {
      customer.declared = decls.get(p.customerId) ?? null;
      customer.declaredOf = decls;
    }
    const declared = customer.declared;
    f.inventory = withDeclared(inventory, declared, blank, chi, clo);
    f.declaredCalling = declaredCalling(declared, blank, f.inventory);
    f.otherHolder = this.otherHolder(blank, f.inventory, exact, chi, clo);
    f.declaredSource =
      declared === null || !declared.checksSources || p.sourceIpV4 < 0
        ? 0
        : declared.containsV4(p.sourceIpV4)
          ? 1
          : 2;
    // the fast path keys only numbers it normalized to E.164: every call it hands over is PSTN-bound
    f.destination = DEST_PSTN;
    f.zone = p.calledNpaNxx >= 0 ? zoneIndexOfNpa((p.calledNpaNxx / 1000) | 0) : -1;
    this.pairOf(blank, ck, dk);
  }

  /**
   * Who else holds the caller ID (its key split), as CallFacts.otherHolder says: asked only of caller
   * IDs this customer neither holds nor declared (`inventory` 0 or 2). `exact` is the exact holder
   * when the call's check already looked it up (the same probe), else NOT_LOOKED_UP: a number listed
   * exactly is that customer's, else the longest prefix covering it decides.
   */
  private otherHolder(blank: boolean, inventory: number, exact: number, hi: number, lo: number): number {
    if (blank || inventory === 1) return -1;
    const inv = this.ref.inventory;
    const listed = exact === NOT_LOOKED_UP ? inv.exactHolder(-1, hi, lo) : exact;
    return listed >= 0 ? listed : inv.prefixHolder(hi, lo);
  }

  /** The pair's key into `facts`, split (0 for a call without a caller ID). */
  private pairOf(blank: boolean, ck: number, dk: number): void {
    const f = this.facts;
    if (blank) {
      f.pairHi = 0;
      f.pairLo = 0;
      return;
    }
    const chi = keyHigh(ck);
    const dhi = keyHigh(dk);
    pairParts(chi, keyLow(ck, chi), dhi, keyLow(dk, dhi), f);
  }

  private dnoKeySet(): NumberSet {
    const dno = this.ref.dno;
    if (this.dnoKeys === null || this.dnoSource !== dno || this.dnoSize !== dno.size) {
      const keys = new NumberSet(dno.size);
      for (const n of dno) if (PLAIN_E164.test(n)) keys.add(numberKey(n));
      this.dnoKeys = keys;
      this.dnoSource = dno;
      this.dnoSize = dno.size;
    }
    return this.dnoKeys;
  }
}
