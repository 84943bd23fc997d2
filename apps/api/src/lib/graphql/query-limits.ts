// Validation rules bounding what one request may ask for: selection depth and
// a complexity score (every field costs 1; a list field's subtree is
// multiplied by its `first`/`topK` argument when given as a literal, else by
// 10). Fragments are expanded, so they cannot hide cost.
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

const DEFAULT_LIST_FACTOR = 10;

function listFactor(field: { arguments?: readonly { name: { value: string }; value: { kind: string; value?: string } }[] }): number {
  for (const argument of field.arguments ?? []) {
    if ((argument.name.value === 'first' || argument.name.value === 'topK') && argument.value.kind === Kind.INT) {
      return Math.max(1, Number(argument.value.value));
    }
  }
  return 1;
}

export function queryLimitsRule(maxDepth: number, maxComplexity: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }

    /** Returns [depth, cost] of a selection set; `seen` stops fragment cycles. */
    function measure(selectionSet: SelectionSetNode, seen: Set<string>): [number, number] {
      let depth = 0;
      let cost = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (!selection.selectionSet) {
            cost += 1;
            depth = Math.max(depth, 1);
            continue;
          }
          const [childDepth, childCost] = measure(selection.selectionSet, seen);
          const factor = selection.arguments?.some((a) => a.name.value === 'first' || a.name.value === 'topK')
            ? listFactor(selection as never)
            : childCost > 0 && /s$|^hits$|^edges$/.test(selection.name.value) ? DEFAULT_LIST_FACTOR : 1;
          cost += 1 + childCost * factor;
          depth = Math.max(depth, childDepth + 1);
        } else {
          const fragmentSet =
            selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
          const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
          if (!fragmentSet || (name && seen.has(name))) continue;
          const [childDepth, childCost] = measure(fragmentSet, name ? new Set([...seen, name]) : seen);
          cost += childCost;
          depth = Math.max(depth, childDepth);
        }
      }
      return [depth, cost];
    }

    return {
      OperationDefinition(operation) {
        const [depth, cost] = measure(operation.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`query depth ${depth} exceeds the limit of ${maxDepth}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        } else if (cost > maxComplexity) {
          context.reportError(new GraphQLError(`query complexity ${cost} exceeds the limit of ${maxComplexity}`, { extensions: { code: 'QUERY_TOO_COMPLEX' } }));
        }
      },
    };
  };
}
