// Who may introspect the schema (GRAPHQL_INTROSPECTION): `public` (anyone, the
// development default), `keys` (API keys and the operator; the default with
// NODE_ENV=production, so anonymous callers cannot map the API) or `off`
// (Apollo's own switch). Checked in the HTTP layer, which knows the caller,
// before Apollo runs. `__typename` stays allowed for everyone: clients need it.
import { BREAK, parse, visit } from 'graphql';

/** Whether the request's query selects `__schema` or `__type` anywhere (fragments included). Unparsable queries are Apollo's to refuse. */
export function requestsIntrospection(body: unknown, url: URL): boolean {
  const fromBody = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
  const query = typeof fromBody === 'string' ? fromBody : url.searchParams.get('query');
  if (!query || !/__(schema|type)\b/.test(query)) return false;
  let found = false;
  try {
    visit(parse(query, { noLocation: true }), {
      Field(node) {
        if (node.name.value !== '__schema' && node.name.value !== '__type') return undefined;
        found = true;
        return BREAK;
      },
    });
  } catch {
    return false;
  }
  return found;
}
