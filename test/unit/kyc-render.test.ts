import { describe, expect, it } from 'vitest';
import { assessApplication } from '../../shared/kyc/assess.ts';
import { newDossier } from '../../shared/kyc/dossier.ts';
import { renderDossier } from '../../shared/kyc/render.ts';
import { cleanApplication } from './kyc-fixtures.ts';

const sources = {
  doNotOnboard: [],
  rmd: () => null,
  dno: new Set<string>(),
  holders: () => [],
  customers: [],
};

describe('a dossier as a reviewer reads it', () => {
  it('an application refused at once for a terminated customer says so and why, asking no one for approval', () => {
    const app = cleanApplication({ application_id: 'REVERIFY-C042', renewing_customer_id: 'C042' });
    const assessment = assessApplication(app, sources, {
      customerId: 'C042',
      status: 'terminated',
      statusReason: 'case C042-F-1',
      statusChangedAt: '2026-11-01T00:00:00.000Z',
    });
    const text = renderDossier(
      { ...newDossier(app, 'sales', new Date()), status: 'refused', assessment },
      [],
    );
    expect(text).toMatch(
      /^Risk: high; refused without review: customer C042 was terminated on .*termination is final/m,
    );
    expect(text).not.toContain('executive approval required');
  });

  it('an application under review says who must approve it', () => {
    const app = cleanApplication({ intended_use: ['marketing'] });
    const assessment = assessApplication(app, sources);
    const text = renderDossier({ ...newDossier(app, 'sales', new Date()), assessment }, []);
    expect(text).toMatch(/^Risk: low; executive approval required \(marketing or political calling\)$/m);
  });
});
