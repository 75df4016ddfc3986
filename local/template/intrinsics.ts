import type { LoadedTemplates, StackResource } from './cfn-template.ts';
import {
  type IdentityContext,
  identityOf,
  LOCAL_ACCOUNT,
  type ResourceIdentity,
} from './resource-identity.ts';

/** Marks a value that resolves to AWS::NoValue; removed from the enclosing object or array. */
const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Resolves the intrinsic functions CDK emits (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::ImportValue, Fn::GetAZs, Fn::Base64) against the local resources. Errors name the
 * template path that could not be resolved.
 */
export class TemplateResolver {
  readonly templates: LoadedTemplates;
  readonly region: string;
  private readonly queueUrls: Map<string, string>;
  private readonly identities = new Map<string, ResourceIdentity>();
  private readonly resolving = new Set<string>();

  constructor(templates: LoadedTemplates, region: string, queueUrls: Map<string, string>) {
    this.templates = templates;
    this.region = region;
    this.queueUrls = queueUrls;
  }

  resource(logicalId: string, path: string): StackResource {
    const resource = this.templates.resources.get(logicalId);
    if (!resource) throw new Error(`${path}: no resource with logical ID ${logicalId} in the template`);
    return resource;
  }

  identity(logicalId: string, path = logicalId): ResourceIdentity {
    const cached = this.identities.get(logicalId);
    if (cached) return cached;
    const resource = this.resource(logicalId, path);
    if (this.resolving.has(logicalId)) throw new Error(`${path}: circular reference through ${logicalId}`);
    this.resolving.add(logicalId);
    try {
      const context: IdentityContext = {
        region: this.region,
        explicitName: (res, property) => {
          const value = res.Properties?.[property];
          if (value === undefined) return undefined;
          return String(
            this.resolve(value, `Resources.${res.logicalId}.Properties.${property}`, res.stackName),
          );
        },
        queueUrl: (name) => this.queueUrls.get(name),
      };
      const identity = identityOf(resource, context);
      // queue URLs are only final once the queue exists, so do not cache a guess
      if (resource.Type !== 'AWS::SQS::Queue' || this.queueUrls.has(identity.physicalName)) {
        this.identities.set(logicalId, identity);
      }
      return identity;
    } finally {
      this.resolving.delete(logicalId);
    }
  }

  /** Resolves every intrinsic in `value`; `path` is where it sits in the template, for error messages. */
  resolve(value: unknown, path: string, stackName = 'Traceguard'): unknown {
    const resolved = this.resolveInner(value, path, stackName);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  resolveString(value: unknown, path: string, stackName?: string): string {
    const resolved = this.resolve(value, path, stackName);
    if (typeof resolved !== 'string' && typeof resolved !== 'number' && typeof resolved !== 'boolean') {
      throw new Error(
        `${path}: expected a string after resolving intrinsics, got ${JSON.stringify(resolved)}`,
      );
    }
    return String(resolved);
  }

  private resolveInner(value: unknown, path: string, stackName: string): unknown {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => this.resolveInner(item, `${path}[${index}]`, stackName))
        .filter((item) => item !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, argument] = entries[0];
      if (key === 'Ref' || key.startsWith('Fn::'))
        return this.intrinsic(key, argument, `${path}.${key}`, stackName);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.resolveInner(item, `${path}.${key}`, stackName);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  private pseudo(name: string, stackName: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${LOCAL_ACCOUNT}:stack/${stackName}/local`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
      default:
        return undefined;
    }
  }

  private intrinsic(name: string, argument: unknown, path: string, stackName: string): unknown {
    switch (name) {
      case 'Ref': {
        const target = String(argument);
        const pseudo = this.pseudo(target, stackName);
        if (pseudo !== undefined) return pseudo;
        if (this.templates.parameters.has(target)) return this.templates.parameters.get(target);
        return this.identity(target, path).ref;
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? [String(argument[0]), String(this.resolveInner(argument[1], path, stackName))]
          : (() => {
              const text = String(argument);
              const dot = text.indexOf('.');
              return [text.slice(0, dot), text.slice(dot + 1)];
            })();
        const identity = this.identity(logicalId, path);
        const found = identity.attributes[attribute];
        if (found === undefined) {
          throw new Error(
            `${path}: attribute ${attribute} of ${logicalId} (${identity.type}) is not known to the local runtime`,
          );
        }
        return found;
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown];
        const resolved = this.resolveInner(parts, path, stackName);
        if (!Array.isArray(resolved))
          throw new Error(`${path}: Fn::Join needs a list, got ${JSON.stringify(resolved)}`);
        return resolved.map((part) => String(part)).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? argument : [argument, {}];
        const values = (this.resolveInner(variables, path, stackName) ?? {}) as Record<string, unknown>;
        return String(text).replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, expression: string) => {
          if (literal) return `\${${expression}}`;
          if (expression in values) return String(values[expression]);
          if (expression.includes('.') && !expression.startsWith('AWS::')) {
            const [logicalId, ...attribute] = expression.split('.');
            return String(this.intrinsic('Fn::GetAtt', [logicalId, attribute.join('.')], path, stackName));
          }
          return String(this.intrinsic('Ref', expression, path, stackName));
        });
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const resolvedList = this.resolveInner(list, path, stackName);
        const position = Number(this.resolveInner(index, path, stackName));
        if (!Array.isArray(resolvedList) || resolvedList[position] === undefined) {
          throw new Error(`${path}: Fn::Select index ${position} outside ${JSON.stringify(resolvedList)}`);
        }
        return resolvedList[position];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.resolveInner(text, path, stackName)).split(separator);
      }
      case 'Fn::GetAZs':
        return [`${this.region}a`, `${this.region}b`, `${this.region}c`];
      case 'Fn::Base64':
        return Buffer.from(String(this.resolveInner(argument, path, stackName))).toString('base64');
      case 'Fn::ImportValue': {
        const wanted = this.resolveInner(argument, path, stackName);
        for (const output of this.templates.outputs) {
          if (this.resolve(output.exportName, `${output.path}.Export.Name`, output.stackName) === wanted) {
            return this.resolveInner(output.value, `${output.path}.Value`, output.stackName);
          }
        }
        throw new Error(`${path}: no stack exports ${JSON.stringify(wanted)}`);
      }
      default:
        throw new Error(`${path}: intrinsic ${name} is not supported by the local runtime`);
    }
  }
}
