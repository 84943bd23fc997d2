import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDatabaseConfig, repositoryRoot } from './config';

describe('readDatabaseConfig', () => {
  it('defaults to embedded PGlite under <repo>/.data', () => {
    expect(readDatabaseConfig({})).toEqual({ databaseUrl: undefined, dataDir: path.join(repositoryRoot, '.data') });
    expect(readDatabaseConfig({ DATABASE_URL: '  ' }).databaseUrl).toBeUndefined();
  });

  it('reads DATABASE_URL and resolves DATA_DIR', () => {
    const config = readDatabaseConfig({ DATABASE_URL: 'postgresql://u:p@db:5432/x', DATA_DIR: 'some/dir' });
    expect(config).toEqual({ databaseUrl: 'postgresql://u:p@db:5432/x', dataDir: path.resolve('some/dir') });
  });

  it('names the variable when DATABASE_URL is not a Postgres URL', () => {
    expect(() => readDatabaseConfig({ DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL: DATABASE_URL must start with postgres/);
  });

  it('finds the repository root (the folder with prisma/migrations)', () => {
    expect(path.basename(path.join(repositoryRoot, 'prisma/migrations'))).toBe('migrations');
    expect(repositoryRoot).toBe(path.resolve(import.meta.dirname, '../../../..'));
  });
});
