import type { NamedTemplate } from '../../../local/template/cfn-template.ts';

/**
 * Changing a copy of the synthesized template before a stack starts from it: the way these tests
 * shorten a timeout or break one piece of wiring on purpose without touching the CDK app.
 */
export type CfnResource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
};

export function copyTemplates(templates: NamedTemplate[]): NamedTemplate[] {
  return structuredClone(templates);
}

/**
 * The one resource of `type` whose logical ID contains every part (dead-letter queues only when a
 * part names them); the error lists the candidates.
 */
export function findResource(
  templates: NamedTemplate[],
  type: string,
  ...logicalParts: string[]
): { logicalId: string; resource: CfnResource } {
  const found: Array<{ logicalId: string; resource: CfnResource }> = [];
  for (const { template } of templates) {
    const resources = (template as { Resources?: Record<string, CfnResource> }).Resources ?? {};
    for (const [logicalId, resource] of Object.entries(resources))
      if (
        resource.Type === type &&
        logicalParts.every((p) => logicalId.includes(p)) &&
        (logicalParts.some((p) => p.includes('Dlq')) || !logicalId.includes('Dlq'))
      )
        found.push({ logicalId, resource });
  }
  if (found.length !== 1) {
    throw new Error(
      `expected one ${type} matching ${logicalParts.join(' + ')}, found ${found.length}: ${found.map((f) => f.logicalId).join(', ')}`,
    );
  }
  return found[0];
}

/** the resource's Properties, created empty when the template has none */
export function propertiesOf(resource: CfnResource): Record<string, unknown> {
  if (!resource.Properties) resource.Properties = {};
  return resource.Properties;
}
