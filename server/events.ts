// Live events (server-sent events) for the console: `event: contract` with {id, status,
// updatedAt} whenever a contract the listener may see changes. The projection is written by
// workers, maybe in other processes, so the hub reads the contracts table: once a second,
// one query for all listeners together, only while anyone listens. Each listener gets only
// what server/access.ts lets them see; their credential is checked again every minute and
// the stream ends when it no longer holds.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { Request } from 'express';
import type { Store } from '../store';
import { canSeeContract, type Principal } from './access';
import { AppError } from './errors';
import { defineRoute } from './route';

export interface ContractEventsOptions {
  store: Store;
  /** The hub's own check of a request's credential (the same one every route uses). */
  authenticate: (req: Request) => Promise<Principal>;
  pollMs?: number;
  heartbeatMs?: number;
  recheckMs?: number;
  log?: (message: string) => void;
}

/**
 * Changes are looked for this far behind the newest seen: a worker's clock, or a write that
 * commits a moment after a later one, can put an older updated_at into the table after a
 * newer one was read. What was sent already is remembered by revision and not sent twice.
 */
const LOOKBACK_MS = 30_000;
/** Rows one poll reads at most. */
const POLL_LIMIT = 5_000;

interface Listener {
  principal: Principal;
  send(chunk: string): void;
  /** Whether the server this stream goes out through has stopped listening (it is shutting down). */
  serverClosed(): boolean;
  end(): void;
}

export function createContractEvents({ store, authenticate, pollMs = 1000, heartbeatMs = 15_000, recheckMs = 60_000, log = console.error }: ContractEventsOptions) {
  const listeners = new Set<Listener>();
  let timer: NodeJS.Timeout | null = null;
  let polling = false;
  /** The newest updated_at read so far (ISO text; the column's own order). */
  let watermark = '';
  /** id → the revision last sent and its updated_at, for the ids inside the look-back window. */
  let sent = new Map<string, { revision: number; updatedAt: string }>();
  let primed = false;

  const tenants = () => [...new Set([...listeners].map((l) => l.principal.tenantId))];

  async function poll(): Promise<void> {
    if (polling) return;
    polling = true;
    // A server that is closing waits for every open connection: streams end on its first tick.
    for (const listener of listeners) if (listener.serverClosed()) listener.end();
    if (listeners.size === 0) {
      polling = false;
      return;
    }
    try {
      const since = primed ? new Date(Date.parse(watermark) - LOOKBACK_MS).toISOString() : new Date(Date.now() - LOOKBACK_MS).toISOString();
      const changes = await store.stats.changedSince(tenants(), since, POLL_LIMIT);
      for (const { state, updatedAt, revision } of changes) {
        if (updatedAt > watermark) watermark = updatedAt;
        const before = sent.get(state.id);
        if (before && before.revision >= revision) continue;
        sent.set(state.id, { revision, updatedAt });
        // The first read after listening starts only learns where things stand.
        if (!primed) continue;
        const chunk = `event: contract\nid: ${state.id}:${revision}\ndata: ${JSON.stringify({ id: state.id, status: state.status, updatedAt })}\n\n`;
        for (const listener of listeners) if (canSeeContract(listener.principal, state)) listener.send(chunk);
      }
      if (!primed) {
        primed = true;
        if (!watermark) watermark = new Date(Date.now() - LOOKBACK_MS).toISOString();
      }
      const oldest = new Date(Date.parse(watermark) - LOOKBACK_MS).toISOString();
      sent = new Map([...sent].filter(([, v]) => v.updatedAt > oldest));
    } catch (error) {
      log(`[events] polling contracts failed: ${(error as Error)?.message ?? String(error)}`);
    } finally {
      polling = false;
    }
  }

  function subscribe(listener: Listener): () => void {
    listeners.add(listener);
    if (!timer) {
      primed = false;
      watermark = '';
      sent = new Map();
      void poll();
      timer = setInterval(() => void poll(), pollMs);
      timer.unref();
    }
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && timer) {
        clearInterval(timer);
        timer = null;
      }
    };
  }

  const route = defineRoute({
    method: 'get', path: '/api/events', tag: 'contracts', access: 'contracts.read',
    summary: 'Live events (text/event-stream): `event: contract` with data {id, status, updatedAt} whenever a contract the caller may see changes; a comment line every 15 s keeps the connection open; the stream ends when the credential no longer holds',
    responses: { 200: { description: 'an event stream', contentType: 'text/event-stream' }, 406: { description: 'the request does not accept text/event-stream' } },
    handler: async ({ actor, req }) => {
      // A stream never ends by itself: a caller that did not ask for one (a script, a crawler of the API) gets an answer instead of a hang.
      if (!(req.get('accept') ?? '').includes('text/event-stream')) {
        throw new AppError('not_acceptable', 'This is an event stream: send Accept: text/event-stream (EventSource does)', { status: 406, details: [{ path: '/headers/accept', message: 'must include text/event-stream' }] });
      }
      let principal = actor!;
      let unsubscribe = () => {};
      const timers: NodeJS.Timeout[] = [];
      const stream = new Readable({
        read() {},
        destroy(error, done) {
          unsubscribe();
          for (const t of timers) clearInterval(t);
          done(error);
        },
      });
      let ended = false;
      const end = () => {
        unsubscribe();
        for (const t of timers) clearInterval(t);
        if (!ended) stream.push(null);
        ended = true;
      };
      const server = (req.socket as Socket & { server?: Server }).server;
      const listener: Listener = { principal, send: (chunk) => void (ended || stream.push(chunk)), serverClosed: () => server?.listening === false, end };
      unsubscribe = subscribe(listener);
      timers.push(setInterval(() => listener.send(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs));
      timers.push(
        setInterval(() => {
          authenticate(req).then(
            (fresh) => {
              // The same caller, with roles and unit as they are now.
              if (fresh.id !== principal.id || fresh.tenantId !== principal.tenantId) return end();
              principal = fresh;
              listener.principal = fresh;
            },
            () => {
              if (!ended) stream.push('event: end\ndata: {"reason":"unauthorized"}\n\n');
              end();
            },
          );
        }, recheckMs),
      );
      stream.push(`retry: 3000\n: connected\n\n`);
      return { body: stream, contentType: 'text/event-stream; charset=utf-8', headers: { 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no', connection: 'keep-alive' } };
    },
  });

  return { route, listenerCount: () => listeners.size, polling: () => timer !== null };
}
