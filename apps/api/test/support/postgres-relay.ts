// A TCP relay in front of Postgres that a test can cut (an outage: every open
// connection dropped, new ones refused) and restore on the same port.
import net from 'node:net';

export interface PostgresRelay {
  /** The relay's port on 127.0.0.1; a database URL with this port goes through it. */
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

/** Starts relaying to the host and port of `target` (a Postgres URL). */
export async function startRelay(target: URL): Promise<PostgresRelay> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const restore = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      const closing = server;
      server = null;
      if (closing) closing.close(() => resolve());
      else resolve();
    });
  await restore();
  return { port, cut, restore };
}
