import { describe, expect, it } from 'vitest';
describe('workspace', () => { it('runs vitest', () => { expect(1 + 1).toBe(2); }); });
