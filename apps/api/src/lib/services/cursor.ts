// Opaque keyset cursors: base64url of the (timestamp, id) of the last row seen
// (the row's createdAt, or for frames its capturedAt).
import { badInput } from '../errors.js';
import { isUuid } from '../repositories/ids.js';

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, field: string): KeysetPosition | null {
  if (!cursor) return null;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    // Rows are stamped by the database clock, so a cursor outside years 1970..9999
    // was not issued here (and Postgres would refuse some such dates, SQLSTATE 22007/22008).
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !(date.getTime() >= 0 && date.getUTCFullYear() <= 9999) || !isUuid(id)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw badInput(field, 'is not a cursor returned by this API');
  }
}

export function pageSize(first: number | null | undefined, field: string, max = 200): number {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > max) throw badInput(field, `must be between 1 and ${max}`);
  return size;
}

/** Fetches one extra row to learn whether another page exists. */
export function toConnection<T extends KeysetPosition, N>(rows: T[], size: number, toNode: (row: T) => N) {
  return toConnectionBy(rows, size, toNode, (row) => row);
}

/** toConnection for rows keyed by another timestamp than createdAt. */
export function toConnectionBy<T, N>(rows: T[], size: number, toNode: (row: T) => N, positionOf: (row: T) => KeysetPosition) {
  const page = rows.slice(0, size);
  return {
    edges: page.map((row) => ({ cursor: encodeCursor(positionOf(row)), node: toNode(row) })),
    pageInfo: { hasNextPage: rows.length > size, endCursor: page.length ? encodeCursor(positionOf(page[page.length - 1]!)) : null },
  };
}
