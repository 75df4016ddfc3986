import { createServer } from 'node:net';

/** Asks the OS for a free loopback TCP port (for emulators that cannot listen on port 0 themselves). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not obtain a free loopback port'))));
    });
  });
}
