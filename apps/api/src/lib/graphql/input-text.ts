// One check for every String (and ID) a request carries, in variables or
// literals: Postgres text cannot hold NUL, and UTF-8 cannot encode a lone
// UTF-16 surrogate (the driver would fail with SQLSTATE 22021, or silently
// store U+FFFD). Rejected up front as BAD_USER_INPUT naming the field, so no
// service has to remember it.
import { Kind, type ArgumentNode, type DocumentNode, type ValueNode } from 'graphql';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface BadText {
  /** The input path, e.g. `input.detections[2].box` or `name`. */
  field: string;
  problem: string;
}

export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (it holds a lone surrogate)';
  return null;
}

/** The first bad string in a JSON-like value (a request's variables). */
export function findBadTextInValue(value: unknown, path: string): BadText | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { field: path, problem } : null;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = findBadTextInValue(value[index], `${path}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { field: path, problem: `has a field name that ${keyProblem}` };
      const found = findBadTextInValue(child, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}

function findBadTextInLiteral(node: ValueNode, path: string): BadText | null {
  switch (node.kind) {
    case Kind.STRING: {
      const problem = textProblem(node.value);
      return problem ? { field: path, problem } : null;
    }
    case Kind.LIST:
      for (let index = 0; index < node.values.length; index++) {
        const found = findBadTextInLiteral(node.values[index]!, `${path}[${index}]`);
        if (found) return found;
      }
      return null;
    case Kind.OBJECT:
      for (const field of node.fields) {
        const found = findBadTextInLiteral(field.value, `${path}.${field.name.value}`);
        if (found) return found;
      }
      return null;
    default:
      return null;
  }
}

/** The first bad string among the document's argument literals (fragments included). */
export function findBadTextInDocument(document: DocumentNode): BadText | null {
  let found: BadText | null = null;
  const visitArguments = (node: unknown): void => {
    if (found || node === null || typeof node !== 'object') return;
    if ((node as { kind?: string }).kind === Kind.ARGUMENT) {
      const argument = node as ArgumentNode;
      found = findBadTextInLiteral(argument.value, argument.name.value);
      return;
    }
    for (const child of Object.values(node)) {
      if (Array.isArray(child)) child.forEach(visitArguments);
      else if (child && typeof child === 'object' && 'kind' in child) visitArguments(child);
    }
  };
  visitArguments(document);
  return found;
}
