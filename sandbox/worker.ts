// The worker side of a sandbox (pool.ts), for a worker thread or a child process alike:
// takes the init message, then answers one job per message with the handler's value,
// serialized here so its size is bounded before it crosses (a value of hundreds of
// megabytes would hold the server's event loop while it is read).
import { serialize } from 'node:v8';
import { parentPort } from 'node:worker_threads';

export interface WorkerInit {
  init: unknown;
  /** The largest serialized value sent back (the pool's limit); a larger one is answered `tooLarge`. */
  maxResultBytes: number;
}
export interface JobRequest {
  id: number;
  request: unknown;
}
export type JobReply = { id: number; value: Uint8Array } | { id: number; tooLarge: number } | { id: number; failed: string };

export interface JobHandler<Init, Request> {
  /** Called once with the pool's `init`; returns what answers each job. */
  (init: Init): (request: Request) => unknown;
}

export interface ServeOptions {
  /** A stand-in for a value that cannot be serialized (a function in it). */
  cloneable?: (value: unknown) => unknown;
}

/** Serves jobs in this worker until the pool kills it or goes away. */
export function serveJobs<Init, Request>(setup: JobHandler<Init, Request>, options: ServeOptions = {}): void {
  const send: (message: JobReply | { ready: true }) => void = parentPort ? (message) => parentPort!.postMessage(message) : (message) => process.send!(message);
  const listen = (listener: (message: WorkerInit | JobRequest) => void) => (parentPort ? parentPort.on('message', listener) : process.on('message', listener as (message: unknown) => void));
  // The server went away (stopped, killed): nothing is left to answer.
  if (!parentPort) process.on('disconnect', () => process.exit(0));

  let handle: ((request: Request) => unknown) | null = null;
  let maxResultBytes = Infinity;
  listen(async (message) => {
    if ('init' in message) {
      handle = setup(message.init as Init);
      maxResultBytes = message.maxResultBytes;
      send({ ready: true });
      return;
    }
    const { id, request } = message;
    let reply: JobReply;
    try {
      const value = await handle!(request as Request);
      let bytes: Buffer;
      try {
        bytes = serialize(value);
      } catch (error) {
        if (!options.cloneable) throw error;
        bytes = serialize(options.cloneable(value));
      }
      reply = bytes.length > maxResultBytes ? { id, tooLarge: bytes.length } : { id, value: bytes };
    } catch (error) {
      reply = { id, failed: (error as Error)?.message ?? String(error) };
    }
    send(reply);
  });
}
