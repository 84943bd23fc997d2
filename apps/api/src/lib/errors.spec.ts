// databaseErrorToAppError on the shapes Prisma 7's driver adapters actually
// throw (captured from a Postgres 15 that was sent NUL bytes, then stopped).
import { describe, expect, it } from 'vitest';
import { AppError, databaseErrorToAppError } from './errors.js';

const prismaError = (code: string, cause: Record<string, unknown>, message = '') =>
  Object.assign(new Error(message), { code, meta: { driverAdapterError: { name: 'DriverAdapterError', cause } } });

describe('databaseErrorToAppError', () => {
  it('maps a stopped or unreachable database to UNAVAILABLE', () => {
    const cases = [
      prismaError('P2039', { kind: 'postgres', code: '57P01', message: 'terminating connection due to administrator command' }),
      prismaError('P1001', { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }, "Can't reach database server at 127.0.0.1:5432"),
      prismaError('P2039', { kind: 'postgres', code: '08006' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ];
    for (const error of cases) expect(databaseErrorToAppError(error)?.code, String(error)).toBe('UNAVAILABLE');
  });

  it('maps data Postgres refuses (SQLSTATE class 22) to BAD_USER_INPUT', () => {
    const nul = prismaError('P2039', { kind: 'postgres', code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' });
    const raw = prismaError('P2010', { kind: 'postgres', code: '22007' });
    for (const error of [nul, raw]) expect(databaseErrorToAppError(error)?.code).toBe('BAD_USER_INPUT');
  });

  it('reads the same codes from the pg driver itself (search and ingest run on it: withTenantRaw)', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'ERROR' });
    expect(databaseErrorToAppError(pgError('57P01', 'terminating connection due to administrator command'))?.code).toBe('UNAVAILABLE');
    expect(databaseErrorToAppError(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'))?.code).toBe('BAD_USER_INPUT');
    expect(databaseErrorToAppError(new Error('no database connection free within 10000 ms'))?.code).toBe('UNAVAILABLE');
    expect(databaseErrorToAppError(pgError('23505', 'duplicate key value violates unique constraint'))).toBeNull();
  });

  it('maps a deadlock or serialization failure (the transaction was rolled back whole) to UNAVAILABLE, to be retried', () => {
    expect(databaseErrorToAppError(Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' }))?.message).toMatch(/rolled back; retry/);
    expect(databaseErrorToAppError(prismaError('P2039', { kind: 'postgres', code: '40001' }))?.code).toBe('UNAVAILABLE');
  });

  it('leaves everything else (and AppErrors) alone', () => {
    expect(databaseErrorToAppError(prismaError('P2002', { kind: 'postgres', code: '23505' }))).toBeNull();
    expect(databaseErrorToAppError(new TypeError('x is undefined'))).toBeNull();
    expect(databaseErrorToAppError(new AppError('NOT_FOUND', 'gallery not found'))).toBeNull();
    expect(databaseErrorToAppError(undefined)).toBeNull();
  });
});
