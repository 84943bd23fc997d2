// Database settings read from the environment: DATABASE_URL selects a real
// Postgres server; without it the embedded PGlite lives under DATA_DIR.
import path from 'node:path';
import { z } from 'zod';

/** Repository root (libs/db/src/lib → four levels up); the default DATA_DIR is `<repo>/.data`. */
export const repositoryRoot = path.resolve(import.meta.dirname, '../../../..');

/** The Prisma migrations folder shipped with the repository. */
export const defaultMigrationsDir = path.join(repositoryRoot, 'prisma/migrations');

export interface DatabaseConfig {
  /** postgres:// URL of a Postgres server with pgvector; undefined ⇒ embedded PGlite. */
  databaseUrl: string | undefined;
  /** Folder for the platform's local data; PGlite persists under `<dataDir>/pglite`. */
  dataDir: string;
}

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: 'DATABASE_URL must start with postgres:// or postgresql://',
    }),
  DATA_DIR: z.string().trim().optional(),
});

/** Reads DATABASE_URL and DATA_DIR; errors name the variable. */
export function readDatabaseConfig(environment: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid database configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const dataDir = parsed.data.DATA_DIR ? path.resolve(parsed.data.DATA_DIR) : path.join(repositoryRoot, '.data');
  return { databaseUrl: parsed.data.DATABASE_URL, dataDir };
}
