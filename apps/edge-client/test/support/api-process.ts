// The real API as a child process (`apps/api/src/main.ts`, what `npm start`
// runs) on a fresh embedded PGlite data dir and an ephemeral port, serving the
// built kiosk at /kiosk/. Tests talk to it over HTTP with the schema's documents.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { REPO_ROOT } from './shared-data.js';

const API_MAIN = path.join(REPO_ROOT, 'apps/api/src/main.ts');
const OPERATOR_TOKEN = 'edge-client-test-operator-token';
const READY_TIMEOUT_MS = 180_000;

export interface ApiProcess {
  url: string;
  operatorToken: string;
  /** Ends the process but keeps its data: an outage, for the kiosk. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after stop()). */
  restart(): Promise<void>;
  gql<T, V>(document: TypedDocumentNode<T, V>, variables: V, credential: string): Promise<T>;
  close(): Promise<void>;
}

export function missingApiReason(): string | null {
  return existsSync(API_MAIN) ? null : `the API entry ${path.relative(REPO_ROOT, API_MAIN)} is missing`;
}

async function spawnApi(dataDir: string, port: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', API_MAIN], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: port, HOST: '127.0.0.1', DATA_DIR: dataDir, OPERATOR_TOKEN, LOG_LEVEL: 'warn', WORKER_POLL_MS: '250', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL\s+(http:\/\/\S+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code} before it was ready:\n${output}`));
    });
  });
  // Keep draining the pipes so the child never blocks on a full buffer.
  child.stdout!.resume();
  child.stderr!.resume();
  return { child, url };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

export async function startApiProcess(env: Record<string, string> = {}): Promise<ApiProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'edge-client-api-'));
  const started = await spawnApi(dataDir, '0', env);
  const { url } = started;
  let { child } = started;
  return {
    url,
    async stop() {
      await stopChild(child);
    },
    async restart() {
      ({ child } = await spawnApi(dataDir, new URL(url).port, env));
    },
    operatorToken: OPERATOR_TOKEN,
    async gql(document, variables, credential) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
      if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((error) => error.message).join('; ')}`);
      return body.data as never;
    },
    async close() {
      await stopChild(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Waits until the API's in-process worker has embedded every detection with the teacher
 * (person_search_teacher_queue_depth 0 on /metrics). A search made earlier computes the missing
 * vectors within its own time budget (SEARCH_TEACHER_BUDGET_MS, 1.5 s) and ranks whatever it could
 * not reach below every re-ranked hit: on a busy machine, results then depend on how far the worker got.
 */
export async function waitForTeacherQueue(apiUrl: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const metrics = await fetch(`${apiUrl}/metrics`).then((response) => response.text());
    last = /^person_search_teacher_queue_depth (-?\d+)/m.exec(metrics)?.[1] ?? 'absent';
    if (last === '0') return;
    if (Date.now() > deadline) throw new Error(`the teacher queue did not drain within ${timeoutMs} ms (depth ${last})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
