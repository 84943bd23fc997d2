// The shared rate-limit buckets (table rate_limit, not tenant data): one
// upsert per reconcile that refills each key's bucket for the time since it
// was last written, takes what one replica spent locally, and returns the
// remainder. Runs as the table owner, outside any tenant scope.
import type { DatabaseTransaction } from '@person-search/db';

export interface SpentTokens {
  keyId: string;
  /** Tokens this replica admitted for the key since its last reconcile. */
  taken: number;
}

export interface BucketRemainder {
  keyId: string;
  /** Tokens left in the shared bucket after this take; negative is a debt. */
  tokens: number;
}

/**
 * Refill-and-take for a batch of keys in one statement. `capacity` is the
 * bucket size (RATE_LIMIT_PER_MINUTE) and `perSecond` its refill rate. A new key
 * starts full. The remainder is floored at −capacity, so a key that was
 * over-admitted on stale views waits at most one minute to be admitted again.
 */
export function takeSharedTokens(
  sql: Pick<DatabaseTransaction, '$queryRaw'>,
  spent: readonly SpentTokens[],
  capacity: number,
  perSecond: number,
): Promise<BucketRemainder[]> {
  return sql.$queryRaw<BucketRemainder[]>`
    INSERT INTO rate_limit AS r (key_id, tokens, updated_at)
    SELECT key_id, ${capacity}::float8 - taken, now()
    FROM unnest(${spent.map((s) => s.keyId)}::text[], ${spent.map((s) => s.taken)}::float8[]) AS spent(key_id, taken)
    ON CONFLICT (key_id) DO UPDATE
      SET tokens = greatest(-${capacity}::float8,
                            least(${capacity}::float8, r.tokens + extract(epoch FROM now() - r.updated_at)::float8 * ${perSecond}::float8)
                            - (${capacity}::float8 - EXCLUDED.tokens)),
          updated_at = now()
    RETURNING key_id AS "keyId", tokens`;
}
