// Raw HTTP/1.1 over a TCP socket, for requests no HTTP client would send
// (malformed request lines, headers, slowloris). Resolves with what the server
// wrote and how the connection ended; never rejects.
import { connect } from 'node:net';

export interface RawResponse {
  /** Everything the server sent. */
  text: string;
  /** The status of the first response line, or null when none came. */
  status: number | null;
  /** The server closed (or reset) the connection before `waitMs`. */
  closedByServer: boolean;
  elapsedMs: number;
}

export function rawRequest(port: number, chunks: (string | Buffer)[], options: { waitMs?: number; gapMs?: number } = {}): Promise<RawResponse> {
  const { waitMs = 3000, gapMs = 0 } = options;
  const started = performance.now();
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    let closedByServer = false;
    let settled = false;
    const socket = connect(port, '127.0.0.1');
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: status ? Number(status[1]) : null, closedByServer, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('error', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', () => {
      closedByServer = true;
      finish();
    });
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (settled || socket.destroyed) return;
        socket.write(chunk);
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    });
  });
}
