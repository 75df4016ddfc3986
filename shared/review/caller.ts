/**
 * Who answered a review, as IAM verified it (the function URL's signed request), never as the
 * request body says: `person` is what the record and the different-person rules compare, `arn` is
 * kept beside it so the record shows which identity and role the person acted under.
 */
export interface VerifiedCaller {
  person: string;
  arn: string;
  /** the caller acted as a session of a role configured as an executive reviewer role */
  executive: boolean;
}

export class UnknownCaller extends Error {
  override name = 'UnknownCaller';
}

const ARN = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/;

/** The role and person an IAM or STS ARN names; null for anything that names no person (the account root). */
function parseArn(arn: string): { role: string | null; person: string } | null {
  const match = ARN.exec(arn.trim());
  if (!match) return null;
  const [, service, , resource] = match;
  const parts = resource.split('/');
  // an assumed role's session name is the person: the reviewer roles' trust policy pins it to the
  // IAM user name, and Identity Center sets it to the user's name
  if (service === 'sts' && parts[0] === 'assumed-role' && parts.length === 3 && parts[2])
    return { role: parts[1], person: parts[2] };
  if (service === 'sts' && parts[0] === 'federated-user' && parts[1]) return { role: null, person: parts[1] };
  if (service === 'iam' && parts[0] === 'user' && parts.length >= 2 && parts.at(-1))
    return { role: null, person: parts.at(-1) as string };
  return null;
}

/**
 * The verified caller of a decision from the ARN IAM authenticated. `executiveRoles` are the role
 * names whose sessions may take an executive step (the stack's ExecutiveReviewerRole); any other
 * identity, an IAM user with the reviewer policy included, reviews as an analyst.
 */
export function callerFromArn(arn: string, executiveRoles: readonly string[]): VerifiedCaller {
  const parsed = parseArn(arn);
  if (!parsed)
    throw new UnknownCaller(
      `${arn} names no person (an IAM user, or a session of a role): decisions are recorded under a person's name`,
    );
  return {
    person: parsed.person,
    arn: arn.trim(),
    executive: parsed.role !== null && executiveRoles.includes(parsed.role),
  };
}

/**
 * The person an identity names: the session or user name of an IAM or STS ARN, else the identity as
 * given (a name typed with `--as` on the local stack, or recorded before decisions were verified).
 * The same person under two roles is still one person.
 */
export function personOf(identity: string): string {
  return parseArn(identity)?.person ?? identity;
}

/** The verified ARN of a recorded decision, for an audit record's details (none for a decision made before). */
export function arnOf(decision: { decidedByArn?: string }): { decidedByArn?: string } {
  return decision.decidedByArn ? { decidedByArn: decision.decidedByArn } : {};
}

/**
 * The local stack has no IAM: the name typed with `--as` stands for the person, as a session of the
 * executive reviewer role unless told it is an analyst's. The rules that compare people run as in
 * AWS; who may assume the executive role is IAM's, so nothing local can check it.
 */
export function standInCaller(name: string, role: 'analyst' | 'executive' = 'executive'): VerifiedCaller {
  return { person: name, arn: `local:${role}/${name}`, executive: role === 'executive' };
}
