// @person-search/db: the data layer. One factory (openDatabase) for embedded
// PGlite and Postgres, tenant-scoped units of work under row-level security,
// the migrator, and pgvector serialisation for raw vector SQL.
export { openDatabase, type Database, type OpenDatabaseOptions } from './lib/open-database';
export { migrate, type MigrationTarget } from './lib/migrate';
export { MigrationError, type MigrateOptions, type MigrateResult } from './lib/migrator';
export { APPLICATION_ROLE, type DatabaseTransaction, type TransactionOptions } from './lib/tenant-scope';
export { TransactionTimeoutError, type FreeConnections, type SqlClient } from './lib/raw-transaction';
export { DEFAULT_STUDENT_GRAPH, registerEmbeddingModel, registerEmbeddingModelSql, type EmbeddingModelRegistration } from './lib/model-registry';
export { isolateTenantDetections, tenantPartition, type IsolateTenantOptions, type TenantPartition } from './lib/tenant-partitions';
export { readDatabaseConfig, type DatabaseConfig } from './lib/config';
export { toVectorSql, fromVectorSql, vectorType, configureVectorSearch, type VectorSearchSettings } from './lib/vector';
// Generated Prisma types (model row types, enums, the Prisma namespace for inputs and errors).
export { Prisma, ApiKeyRole, ModelRole, TeacherStatus, type PrismaClient } from './generated/prisma/client';
export type { Tenant, ApiKey, Gallery, Device, Image, Detection, Model, AuditLogEntry } from './generated/prisma/client';
export { DeviceRole, DeviceTokenKind, type DeviceEnrolment, type DeviceToken } from './generated/prisma/client';
export type { SearchAuditEntry } from './generated/prisma/client';
