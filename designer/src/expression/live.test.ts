// The live evaluator's time limit: an evaluation that never answers is ended by terminating
// its worker, the next runs on a new one; time counts from the worker's start, not its
// download; a field's newer request replaces its waiting one. (The real worker runs in the
// e2e test, test/e2e/designer-expressions.test.ts.)
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveEvaluator, type LiveAnswer, type LiveRequest } from './live';

/** A stand-in worker: answers each request as `answer` says (null: never), after `loadMs` it is ready. */
class FakeWorker {
  static made: FakeWorker[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  terminated = false;
  received: LiveRequest[] = [];
  constructor(private readonly answer: (request: LiveRequest) => LiveAnswer | null, loadMs: number) {
    FakeWorker.made.push(this);
    setTimeout(() => this.emit('ready'), loadMs);
  }
  emit(data: unknown) {
    if (!this.terminated) this.onmessage?.({ data } as MessageEvent);
  }
  postMessage(request: LiveRequest) {
    this.received.push(request);
    const answer = this.answer(request);
    if (answer) setTimeout(() => this.emit(answer), 10);
  }
  terminate() {
    this.terminated = true;
  }
}

const value = (request: LiveRequest): LiveAnswer => ({ id: request.id, kind: 'value', json: JSON.stringify(request.source), type: 'string' });
const loops = (request: LiveRequest) => (request.source === 'loop' ? null : value(request));

beforeEach(() => {
  vi.useFakeTimers();
  FakeWorker.made = [];
});
afterEach(() => vi.useRealTimers());

describe('live evaluation', () => {
  it('answers each field in turn', async () => {
    const live = new LiveEvaluator(1000, () => new FakeWorker(value, 50) as unknown as Worker);
    const a = live.evaluate('/a', 'one', {});
    const b = live.evaluate('/b', 'two', {});
    await vi.advanceTimersByTimeAsync(200);
    expect(await a).toMatchObject({ kind: 'value', json: '"one"' });
    expect(await b).toMatchObject({ kind: 'value', json: '"two"' });
    expect(FakeWorker.made).toHaveLength(1);
  });

  it('ends an evaluation over its time by terminating the worker; the next runs on a new one', async () => {
    const live = new LiveEvaluator(1000, () => new FakeWorker(loops, 0) as unknown as Worker);
    const stuck = live.evaluate('/a', 'loop', {});
    const after = live.evaluate('/b', 'fine', {});
    await vi.advanceTimersByTimeAsync(999);
    expect(FakeWorker.made[0]!.terminated).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    expect(await stuck).toMatchObject({ kind: 'timeout' });
    expect(FakeWorker.made[0]!.terminated).toBe(true);
    await vi.advanceTimersByTimeAsync(50);
    expect(await after).toMatchObject({ kind: 'value', json: '"fine"' });
    expect(FakeWorker.made).toHaveLength(2);
    expect(live.restarts).toBe(1);
  });

  it('counts time from the worker being ready, not from its download', async () => {
    const live = new LiveEvaluator(1000, () => new FakeWorker(value, 3000) as unknown as Worker);
    const slowStart = live.evaluate('/a', 'x', {});
    await vi.advanceTimersByTimeAsync(3100);
    expect(await slowStart).toMatchObject({ kind: 'value' });
  });

  it('a newer request of the same field replaces its waiting one', async () => {
    const live = new LiveEvaluator(1000, () => new FakeWorker(loops, 0) as unknown as Worker);
    const running = live.evaluate('/a', 'loop', {});
    await vi.advanceTimersByTimeAsync(1);
    const waiting = live.evaluate('/b', '=sup', {});
    const newer = live.evaluate('/b', '=supplier', {});
    expect(await waiting).toMatchObject({ kind: 'superseded' });
    await vi.advanceTimersByTimeAsync(1100);
    expect(await running).toMatchObject({ kind: 'timeout' });
    expect(await newer).toMatchObject({ kind: 'value', json: '"=supplier"' });
  });

  it('a worker that cannot start fails the waiting requests instead of restarting for ever', async () => {
    const live = new LiveEvaluator(1000, () => {
      const worker = new FakeWorker(value, 1e9);
      setTimeout(() => worker.onerror?.({ message: 'refused', preventDefault() {} } as ErrorEvent), 5);
      return worker as unknown as Worker;
    });
    const a = live.evaluate('/a', 'x', {});
    await vi.advanceTimersByTimeAsync(10);
    expect(await a).toMatchObject({ kind: 'error', message: 'refused' });
    expect(FakeWorker.made).toHaveLength(1);
  });
});
