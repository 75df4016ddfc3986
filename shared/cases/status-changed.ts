import type { CustomerStatus } from './model.ts';

/**
 * A status write made on a status read earlier found another one in the registry: someone (a case,
 * another person) changed it in between, so the write was not made and the caller decides again.
 */
export class StatusChangedMeanwhile extends Error {
  override name = 'StatusChangedMeanwhile';
  readonly status: CustomerStatus;
  constructor(customerId: string, expected: CustomerStatus, status: CustomerStatus) {
    super(
      `customer ${customerId} is no longer ${expected} (now ${status}): its status was changed meanwhile, nothing was written`,
    );
    this.status = status;
  }
}
