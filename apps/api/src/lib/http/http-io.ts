// Small request/response helpers for the node:http routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, tooLarge } from '../errors.js';

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** REST routes answer errors as `{ error: { code, message, field? } }` with the code's HTTP status. */
export function sendError(response: ServerResponse, error: AppError): void {
  sendJson(response, error.httpStatus, { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } });
}

/** Reads the whole body, failing with PAYLOAD_TOO_LARGE past `maxBytes` (checked before and while reading). */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge('body', `the request body exceeds ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge('body', `the request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return Array.isArray(header) ? header[0] : header;
}
