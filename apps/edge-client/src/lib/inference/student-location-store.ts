// Remembers where the active student was last found, per API, so a kiosk that
// restarts without a network can still load its cached model.
import type { StudentModelLocation } from '../api/kiosk-api.js';

const PREFIX = 'person-search-kiosk:student:';

export function rememberStudentLocation(apiBase: string, location: StudentModelLocation): StudentModelLocation {
  try {
    localStorage.setItem(PREFIX + apiBase, JSON.stringify(location));
  } catch {
    // Storage full or disabled: the kiosk just needs the network next time.
  }
  return location;
}

export function recallStudentLocation(apiBase: string): StudentModelLocation | null {
  try {
    const stored = localStorage.getItem(PREFIX + apiBase);
    return stored ? (JSON.parse(stored) as StudentModelLocation) : null;
  } catch {
    return null;
  }
}
