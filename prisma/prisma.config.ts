// Prisma CLI configuration. `prisma generate` needs no database; the URL is
// only read by Prisma's own migrate commands where their engine is available
// (the project applies migrations with its own migrator: `npm run db:migrate`).
import path from 'node:path';
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: path.join(import.meta.dirname, 'schema.prisma'),
  migrations: { path: path.join(import.meta.dirname, 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
