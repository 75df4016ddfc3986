import { z } from 'zod';

/** The part of a synthesized CloudFormation template the local runtime reads. */
export const cfnResourceSchema = z.object({
  Type: z.string().min(1),
  Properties: z.record(z.string(), z.unknown()).optional(),
  Metadata: z.record(z.string(), z.unknown()).optional(),
  DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
});

export const cfnTemplateSchema = z.object({
  Resources: z.record(z.string(), cfnResourceSchema),
  Outputs: z
    .record(
      z.string(),
      z.object({ Value: z.unknown(), Export: z.object({ Name: z.unknown() }).optional() }).loose(),
    )
    .optional(),
  Parameters: z.record(z.string(), z.object({ Default: z.unknown().optional() }).loose()).optional(),
});

export type CfnResource = z.infer<typeof cfnResourceSchema>;
export type CfnTemplate = z.infer<typeof cfnTemplateSchema>;

export interface NamedTemplate {
  stackName: string;
  template: unknown;
}

export interface StackResource extends CfnResource {
  logicalId: string;
  stackName: string;
}

/** All resources of one or more stacks, keyed by logical ID (CDK makes them unique per app). */
export interface LoadedTemplates {
  resources: Map<string, StackResource>;
  /** export name (unresolved) per stack, for Fn::ImportValue across stacks */
  outputs: Array<{ stackName: string; exportName: unknown; value: unknown; path: string }>;
  parameters: Map<string, unknown>;
  /** every Output (exported or not), for the CLI's view of the stack */
  allOutputs: Array<{ stackName: string; name: string; value: unknown; path: string }>;
}

export function loadTemplates(input: unknown): LoadedTemplates {
  const named: NamedTemplate[] = Array.isArray(input)
    ? input
    : [{ stackName: 'Traceguard', template: input }];
  const resources = new Map<string, StackResource>();
  const outputs: LoadedTemplates['outputs'] = [];
  const parameters = new Map<string, unknown>();
  const allOutputs: LoadedTemplates['allOutputs'] = [];
  for (const { stackName, template } of named) {
    const parsed = cfnTemplateSchema.safeParse(template);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `template of stack ${stackName} is not a CloudFormation template: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    for (const [logicalId, resource] of Object.entries(parsed.data.Resources)) {
      if (resources.has(logicalId)) {
        throw new Error(
          `logical ID ${logicalId} exists in stacks ${resources.get(logicalId)?.stackName} and ${stackName}; the local runtime needs unique IDs`,
        );
      }
      resources.set(logicalId, { ...resource, logicalId, stackName });
    }
    for (const [name, output] of Object.entries(parsed.data.Outputs ?? {})) {
      allOutputs.push({ stackName, name, value: output.Value, path: `${stackName}.Outputs.${name}` });
      if (output.Export) {
        outputs.push({
          stackName,
          exportName: output.Export.Name,
          value: output.Value,
          path: `${stackName}.Outputs.${name}`,
        });
      }
    }
    for (const [name, parameter] of Object.entries(parsed.data.Parameters ?? {})) {
      parameters.set(name, parameter.Default);
    }
  }
  return { resources, outputs, parameters, allOutputs };
}
