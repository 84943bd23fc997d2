// A capture-time window (searchPerson's filter, Gallery.images): both bounds inclusive, in order.
import { badInput } from '../errors.js';

/** BAD_USER_INPUT on `beforeField` when the window's end comes before its start. */
export function checkCaptureWindow(after: Date | null | undefined, before: Date | null | undefined, beforeField: string): void {
  if (after && before && after > before) throw badInput(beforeField, 'must not be earlier than capturedAfter');
}
