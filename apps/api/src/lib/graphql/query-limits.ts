// A validation rule bounding what one request may ask for: selection depth
// and a complexity score. Every field costs 1; the subtree of a list field is
// multiplied by its `first`/`topK` argument when given (else by
// DEFAULT_LIST_SIZE). Fragments are expanded, so they cannot hide cost.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type InlineFragmentNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

const DEFAULT_LIST_SIZE = 10;

// Types are inspected through their printed form, not graphql-js's
// instanceof helpers: Apollo's schema may come from another copy of graphql
// (CJS vs ESM builds under a bundler), and those helpers throw across copies.
function fieldOf(type: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  return type && 'getFields' in type && typeof type.getFields === 'function' ? (type.getFields() as Record<string, GraphQLField<unknown, unknown>>)[name] : undefined;
}
const isList = (field: GraphQLField<unknown, unknown>) => String(field.type).startsWith('[');
const namedTypeName = (field: GraphQLField<unknown, unknown>) => String(field.type).replace(/[[\]!]/g, '');
const SIZE_ARGUMENTS = new Set(['first', 'topK']);

function listSize(field: FieldNode): number {
  for (const argument of field.arguments ?? []) {
    if (SIZE_ARGUMENTS.has(argument.name.value) && argument.value.kind === Kind.INT) return Math.max(1, Number(argument.value.value));
  }
  return DEFAULT_LIST_SIZE;
}

export function queryLimitsRule(maxDepth: number, maxComplexity: number) {
  return (context: ValidationContext): ASTVisitor => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }

    /** [depth, cost] of a selection set on `parentType`; `seen` stops fragment cycles (reported by graphql-js itself). */
    function measure(selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, seen: ReadonlySet<string>, pagedParent = false): [number, number] {
      let depth = 0;
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          const fieldDef = fieldOf(parentType, selection.name.value);
          if (!selection.selectionSet) {
            cost += 1;
            depth = Math.max(depth, 1);
            continue;
          }
          // Lists, and connections paged by `first`, multiply their subtree; a
          // connection's own `edges` list is already counted by its page size.
          const paged = selection.arguments?.some((argument) => SIZE_ARGUMENTS.has(argument.name.value)) ?? false;
          const list = fieldDef !== undefined && isList(fieldDef);
          const multiplier = paged || (list && !pagedParent) ? listSize(selection) : 1;
          const childType = fieldDef ? (schema.getType(namedTypeName(fieldDef)) ?? undefined) : undefined;
          const [childDepth, childCost] = measure(selection.selectionSet, childType, seen, paged && !list);
          cost += 1 + childCost * multiplier;
          depth = Math.max(depth, childDepth + 1);
          continue;
        }
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        const fragment: FragmentDefinitionNode | InlineFragmentNode | undefined = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(name!);
        if (!fragment || (name && seen.has(name))) continue;
        const typeCondition = fragment.typeCondition;
        const fragmentType = typeCondition ? schema.getType(typeCondition.name.value) : parentType;
        const [childDepth, childCost] = measure(fragment.selectionSet, fragmentType ?? undefined, name ? new Set([...seen, name]) : seen, pagedParent);
        cost += childCost;
        depth = Math.max(depth, childDepth);
      }
      return [depth, cost];
    }

    return {
      OperationDefinition(operation) {
        const rootType = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
        const [depth, cost] = measure(operation.selectionSet, rootType ?? undefined, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        } else if (cost > maxComplexity) {
          context.reportError(new GraphQLError(`query complexity ${cost} exceeds the limit of ${maxComplexity}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        }
      },
    };
  };
}
