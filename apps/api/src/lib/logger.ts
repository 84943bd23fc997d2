// Structured JSON logs (pino). One root logger per process; requests get a child.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'person-search-api' }, redact: ['req.headers.authorization', '*.secret', '*.token'] });
}
