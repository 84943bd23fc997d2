import { defineConfig } from 'vitest/config';
import { workspaceVitest } from '../../vitest.shared.ts';

export default defineConfig(workspaceVitest(import.meta.dirname));
