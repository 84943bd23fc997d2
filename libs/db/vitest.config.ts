import { defineConfig } from 'vitest/config';
// The workspace-wide Vitest settings live in a root file, not in a project, so
// the module-boundary rule (which only knows projects) does not apply here.
import { workspaceVitest } from '../../vitest.shared.ts';

export default defineConfig(workspaceVitest(import.meta.dirname));
