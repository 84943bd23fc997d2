// Ids are database-generated uuids; anything else can name no row, and must
// not reach SQL (a malformed uuid is a cast error, not "not found").
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return uuidPattern.test(value);
}
