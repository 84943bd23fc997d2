// What one request may ask for: selection depth, a complexity score, and how
// many expensive root fields (searches, ingests) it may hold.
//
// Every field costs 1, expensive root fields more (ROOT_FIELD_COSTS: a search
// runs models and vector scans, so 400 aliased searches must not cost as
// little as 400 scalars). A list's subtree is multiplied by its page size: the
// field's own `first`/`topK` argument, or `topK`/`first` inside its `input`
// argument (searchPerson), given literally or as a variable; else the
// argument's schema default; else DEFAULT_LIST_SIZE. Fragments are expanded,
// so they cannot hide cost.
//
// Measured twice: as a validation rule without variable values (cached by
// Apollo with the document; variables count as their declared defaults), and
// per request with the variables (request-limits-plugin.ts).
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

const DEFAULT_LIST_SIZE = 10;
const SIZE_ARGUMENTS = new Set(['first', 'topK']);

/**
 * Root fields whose resolution is expensive: their complexity weight and the rate-limit tokens each
 * alias takes; with `perItemOf`, per item of that list in its `input` (ingestFrames: per frame, so a
 * batch of 8 frames costs what 8 ingestFrame requests do).
 */
export const ROOT_FIELD_COSTS: Readonly<Record<string, { complexity: number; tokens: number; perItemOf?: string }>> = {
  searchPerson: { complexity: 100, tokens: 1 },
  ingestFrame: { complexity: 20, tokens: 1 },
  ingestFrames: { complexity: 20, tokens: 1, perItemOf: 'frames' },
};

export interface OperationCost {
  depth: number;
  complexity: number;
  /** Aliases of ROOT_FIELD_COSTS fields in the operation. */
  expensiveFields: number;
  /** Rate-limit tokens the operation takes (at least 1). */
  tokens: number;
}

type Variables = Readonly<Record<string, unknown>> | undefined;

// Types are inspected through their printed form, not graphql-js's
// instanceof helpers: Apollo's schema may come from another copy of graphql
// (CJS vs ESM builds under a bundler), and those helpers throw across copies.
function fieldOf(type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return type && 'getFields' in type && typeof type.getFields === 'function' ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
}
const isList = (field: GraphQLField<unknown, unknown>) => String(field.type).startsWith('[');
const namedTypeName = (type: unknown) => String(type).replace(/[[\]!]/g, '');

/** A literal or variable value as a plain JS value (ints as numbers, objects as records). */
function valueOf(node: ValueNode | undefined, variables: Variables, operation: OperationDefinitionNode): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.VARIABLE: {
      if (variables && node.name.value in variables) return variables[node.name.value];
      const definition = operation.variableDefinitions?.find((candidate) => candidate.variable.name.value === node.name.value);
      return valueOf(definition?.defaultValue, undefined, operation);
    }
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, valueOf(field.value, variables, operation)]));
    case Kind.LIST:
      return node.values.map((value) => valueOf(value, variables, operation));
    default:
      return undefined;
  }
}

/** How many items a `perItemOf` field's input list holds (1 when it cannot be known: a variable without a value). */
function itemCount(node: FieldNode, listName: string, variables: Variables, operation: OperationDefinitionNode): number {
  const input = valueOf(node.arguments?.find((argument) => argument.name.value === 'input')?.value, variables, operation) as Record<string, unknown> | undefined;
  const list = input?.[listName];
  return Array.isArray(list) ? Math.max(1, list.length) : 1;
}

/** A positive page size from a value, else null. */
function sizeFrom(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(1, Math.floor(value)) : null;
}

/** The page size a field asks for, or null when it takes none. */
function pageSizeOf(node: FieldNode, fieldDef: GraphQLField<unknown, unknown> | undefined, schema: GraphQLSchema, variables: Variables, operation: OperationDefinitionNode): number | null {
  for (const argument of fieldDef?.args ?? []) {
    const given = node.arguments?.find((candidate) => candidate.name.value === argument.name)?.value;
    if (SIZE_ARGUMENTS.has(argument.name)) {
      return sizeFrom(valueOf(given, variables, operation)) ?? sizeFrom(argument.defaultValue) ?? DEFAULT_LIST_SIZE;
    }
    if (argument.name !== 'input') continue;
    const inputType = schema.getType(namedTypeName(argument.type));
    const inputFields = inputType && 'getFields' in inputType ? (inputType.getFields() as Record<string, { defaultValue?: unknown }>) : {};
    const sizeField = Object.keys(inputFields).find((name) => SIZE_ARGUMENTS.has(name));
    if (!sizeField) continue;
    const input = valueOf(given, variables, operation) as Record<string, unknown> | undefined;
    return sizeFrom(input?.[sizeField]) ?? sizeFrom(inputFields[sizeField]!.defaultValue) ?? DEFAULT_LIST_SIZE;
  }
  return null;
}

export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables?: Variables): OperationCost {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let expensiveFields = 0;
  let tokens = 0;

  /**
   * [depth, cost] of a selection set on `parentType`. `pageSize` is the size
   * the parent field asked for: it multiplies list-typed children (a
   * connection's `edges`, a search's `hits`). `seen` stops fragment cycles.
   */
  function measure(selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, seen: ReadonlySet<string>, pageSize: number | null, root: boolean): [number, number] {
    let depth = 0;
    let cost = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const fieldDef = fieldOf(parentType, selection.name.value);
        const weight = root ? ROOT_FIELD_COSTS[selection.name.value] : undefined;
        const items = weight?.perItemOf ? itemCount(selection, weight.perItemOf, variables, operation) : 1;
        if (weight) {
          expensiveFields += 1;
          tokens += weight.tokens * items;
        }
        const own = (weight?.complexity ?? 1) * items;
        if (!selection.selectionSet) {
          cost += own;
          depth = Math.max(depth, 1);
          continue;
        }
        const size = pageSizeOf(selection, fieldDef, schema, variables, operation);
        const list = fieldDef !== undefined && isList(fieldDef);
        // A list field is multiplied by its own size, else by its parent's page size, else by the default.
        const multiplier = list ? (size ?? pageSize ?? DEFAULT_LIST_SIZE) : 1;
        const childType = fieldDef ? (schema.getType(namedTypeName(fieldDef.type)) ?? undefined) : undefined;
        const [childDepth, childCost] = measure(selection.selectionSet, childType, seen, list ? null : size, false);
        cost += own + childCost * multiplier;
        depth = Math.max(depth, childDepth + 1);
        continue;
      }
      const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
      const fragment: FragmentDefinitionNode | InlineFragmentNode | undefined = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(name!);
      if (!fragment || (name && seen.has(name))) continue;
      const typeCondition = fragment.typeCondition;
      const fragmentType = typeCondition ? schema.getType(typeCondition.name.value) : parentType;
      const [childDepth, childCost] = measure(fragment.selectionSet, fragmentType ?? undefined, name ? new Set([...seen, name]) : seen, pageSize, root);
      cost += childCost;
      depth = Math.max(depth, childDepth);
    }
    return [depth, cost];
  }

  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  const [depth, complexity] = measure(operation.selectionSet, rootType ?? undefined, new Set(), null, true);
  return { depth, complexity, expensiveFields, tokens: Math.max(1, tokens) };
}

export interface QueryLimits {
  maxDepth: number;
  maxComplexity: number;
  /** Most expensive root fields (ROOT_FIELD_COSTS) in one request. */
  maxExpensiveFields: number;
}

/** The first limit `cost` breaks, as a QUERY_TOO_COMPLEX error; null when within every limit. */
export function limitError(cost: OperationCost, limits: QueryLimits): GraphQLError | null {
  const tooComplex = (message: string) => new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } });
  if (cost.depth > limits.maxDepth) return tooComplex(`query depth ${cost.depth} exceeds the limit of ${limits.maxDepth}`);
  if (cost.expensiveFields > limits.maxExpensiveFields) {
    return tooComplex(`query holds ${cost.expensiveFields} expensive fields (${Object.keys(ROOT_FIELD_COSTS).join(', ')}); the limit is ${limits.maxExpensiveFields} per request`);
  }
  if (cost.complexity > limits.maxComplexity) return tooComplex(`query complexity ${cost.complexity} exceeds the limit of ${limits.maxComplexity}`);
  return null;
}

/** The limits as a validation rule (no variable values: they count as their declared defaults). */
export function queryLimitsRule(maxDepth: number, maxComplexity: number, maxExpensiveFields = Number.POSITIVE_INFINITY) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const error = limitError(measureOperation(context.getSchema(), context.getDocument(), operation), { maxDepth, maxComplexity, maxExpensiveFields });
      if (error) context.reportError(error);
    },
  });
}
