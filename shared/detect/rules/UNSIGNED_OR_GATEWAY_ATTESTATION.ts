import { counted, int, pctAgainst, plural } from '../format.ts';
import { defineRule, providersParam } from './rule.ts';

/**
 * Calls we could not sign or that arrived C-attested. A provider customer (registry `provider`) is
 * left out unless the policy sets `providers`: a gateway must C-attest the foreign calls it hands on,
 * and an upstream's calls arrive as its own upstreams signed them.
 */
export const UNSIGNED_OR_GATEWAY_ATTESTATION = defineRule({
  code: 'UNSIGNED_OR_GATEWAY_ATTESTATION',
  firesWhen: 'share of unsigned or C-attested calls, among calls whose source reports attestation, is above',
  direction: 'max',
  ratio: true,
  signature: false,
  params: providersParam,
  defaults: { threshold: 0.6, minAttempts: 150, providers: false, weight: 65 },
  evaluate: (w, _d, _ctx, _cfg, eff) => {
    // only calls whose source reports attestation say anything about signing; the sentence counts
    // them as that, since an unsigned call carried no attestation of its own
    const reported = w.attempts - w.attUnreported;
    if (reported === 0 || reported < eff.minAttempts) return null;
    const r = (w.attC + w.attNone) / reported;
    return {
      observed: r,
      calls: reported,
      detail: `${pctAgainst(r, eff.threshold)} of ${counted(reported, 'call')} whose source reports attestation ${plural(reported, 'was', 'were')} unsigned (${int(w.attNone)}) or gateway C-attested (${int(w.attC)}); A: ${int(w.attA)}, B: ${int(w.attB)}`,
    };
  },
});
