// Guards for what anyone may send: token buckets per client address for the public endpoints
// that need no login (and per connector instance for webhooks, server/hooks.ts), and a body
// limit that answers from the headers alone.
//
// The buckets live in the database (store/rate-limits.ts), so every server process spends the
// same allowance and a restart forgets nothing: a client refused at one server is refused at
// the next. The cost is one upsert per limited request (bench/rate-limit.bench.ts). When the
// database does not answer, the guard falls back to a bucket in this process's memory rather
// than refusing everyone: the limit then holds per server until the database is back.
import type { NextFunction, Request, Response } from 'express';
import type { RateLimitRepository } from '../store';
import { AppError } from './errors';

export interface RateLimit {
  /** Requests a key may send at once. */
  burst: number;
  /** Requests per second it may send over time. */
  perSecond: number;
}

/** A token bucket per key in this process's memory. Buckets that have filled up again are forgotten, so memory follows active clients. */
export function createRateLimiter({ burst, perSecond }: RateLimit, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const fullAfterMs = (burst / perSecond) * 1000;
  let sweptAt = now();
  return {
    /** Takes a token; returns 0 when allowed, else the seconds until the next token. */
    take(key: string): number {
      const t = now();
      if (t - sweptAt > fullAfterMs && buckets.size > 1000) {
        for (const [k, b] of buckets) if (t - b.at > fullAfterMs) buckets.delete(k);
        sweptAt = t;
      }
      const bucket = buckets.get(key) ?? { tokens: burst, at: t };
      bucket.tokens = Math.min(burst, bucket.tokens + ((t - bucket.at) / 1000) * perSecond);
      bucket.at = t;
      buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
    /** Seconds until `key` has a token (0: it has one); takes nothing. */
    peek(key: string): number {
      const bucket = buckets.get(key);
      if (!bucket) return 0;
      const tokens = Math.min(burst, bucket.tokens + ((now() - bucket.at) / 1000) * perSecond);
      return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / perSecond));
    },
  };
}

export interface SharedRateLimiter {
  /** Takes a token from `key`'s bucket: 0 when allowed, else the seconds until the next token. */
  take(key: string): Promise<number>;
  /** Seconds until `key` has a token again (0: it has one); takes nothing. */
  peek(key: string): Promise<number>;
}

/**
 * Buckets named `<name>:<key>` in the database, shared by every server on it; falls back to
 * this process's memory while the database fails (see the top of this file).
 */
export function createSharedRateLimiter(buckets: RateLimitRepository, name: string, limit: RateLimit): SharedRateLimiter {
  const local = createRateLimiter(limit);
  // After a failure the database is left alone for a while: a database that does not answer at all
  // would otherwise hold every limited request for the pool's connection timeout.
  let skipUntil = 0;
  const shared = async <T>(ask: () => Promise<T>, fallback: () => T): Promise<T> => {
    if (Date.now() < skipUntil) return fallback();
    try {
      return await ask();
    } catch {
      skipUntil = Date.now() + DATABASE_RETRY_MS;
      return fallback();
    }
  };
  return {
    take: (key) => shared(() => buckets.take(`${name}:${key}`, limit), () => local.take(key)),
    peek: (key) => shared(() => buckets.peek(`${name}:${key}`, limit), () => local.peek(key)),
  };
}

/** How long a limiter uses its in-memory buckets after the database failed, before asking it again. */
const DATABASE_RETRY_MS = 5_000;

/**
 * Express middleware limiting one public endpoint per client address, over every server on
 * `buckets`. Mounted ahead of the body parser, so a client over its rate is refused before its
 * body is read. The address is the socket's (express's `trust proxy` decides whether
 * X-Forwarded-For counts).
 */
export function perClientRateLimit(what: string, limit: RateLimit, buckets: RateLimitRepository) {
  const limiter = createSharedRateLimiter(buckets, `client-${what}`, limit);
  return (req: Request, res: Response, next: NextFunction) => {
    limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown').then((wait) => {
      if (!wait) return next();
      res.setHeader('retry-after', String(wait));
      // The body is not read: close the connection afterwards rather than drain it.
      res.setHeader('connection', 'close');
      next(new AppError('rate_limited', `Too many ${what} requests from this client; try again in ${wait} s`, { status: 429 }));
    }, next);
  };
}

/**
 * Refuses a request whose Content-Length is over `limit` with 413 at once, without reading
 * or draining its body (body-parser would refuse too, but only after draining all of it).
 * Chunked bodies without a length are cut off by the body parser's own limit.
 */
export function refuseBodiesOver(limit: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const length = Number(req.headers['content-length']);
    if (!(length > limit)) return next();
    res.setHeader('connection', 'close');
    next(new AppError('payload_too_large', `The request body has ${length} bytes; at most ${limit} are taken here`, { status: 413 }));
  };
}
