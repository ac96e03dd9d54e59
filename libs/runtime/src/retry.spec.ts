import { describe, expect, it } from '@jest/globals';
import { TransientError } from './transient-error.js';
import { backoffDelay, LazyConnection, retry } from './retry.js';

const quiet = { warn: () => undefined };
const failing = (times: number, error: () => Error = () => new Error('not yet')) => {
  let calls = 0;
  const work = async () => {
    if (++calls <= times) throw error();
    return calls;
  };
  return { work, calls: () => calls };
};

describe('retry', () => {
  it('tries until the work succeeds, and returns its result', async () => {
    const { work } = failing(3);
    await expect(retry({ initialMs: 1, maxMs: 2 }, { what: 'x', logger: quiet }, work)).resolves.toBe(4);
  });

  it('gives up after the attempts of its policy, with the last error', async () => {
    const { work, calls } = failing(10);
    await expect(retry({ initialMs: 1, maxMs: 1, attempts: 3 }, { what: 'x', logger: quiet }, work)).rejects.toThrow(
      'not yet',
    );
    expect(calls()).toBe(3);
  });

  it('throws at once an error that another attempt cannot fix', async () => {
    const { work, calls } = failing(10, () => new Error('never'));
    const options = { what: 'x', logger: quiet, isFinal: (e: unknown) => (e as Error).message === 'never' };
    await expect(retry({ initialMs: 1, maxMs: 1 }, options, work)).rejects.toThrow('never');
    expect(calls()).toBe(1);
  });

  it('stops waiting and retrying when its signal aborts', async () => {
    const stop = new AbortController();
    const { work, calls } = failing(10);
    const retrying = retry(
      { initialMs: 60_000, maxMs: 60_000 },
      { what: 'x', logger: quiet, signal: stop.signal },
      work,
    );
    setTimeout(() => stop.abort(), 20);
    await expect(retrying).rejects.toThrow('not yet');
    expect(calls()).toBe(1);
  });

  it('retries a transient error as soon as what it waits for has come, not after the backoff', async () => {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const { work } = failing(1, () => new TransientError('the snapshot is not there yet', arrived));
    const started = Date.now();
    const retrying = retry({ initialMs: 60_000, maxMs: 60_000 }, { what: 'x', logger: quiet }, work);
    setTimeout(arrive, 20);
    await expect(retrying).resolves.toBe(2);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('logs each failure with what was tried and the wait', async () => {
    const lines: string[] = [];
    await retry(
      { initialMs: 1, maxMs: 1 },
      { what: 'publishing', logger: { warn: (l) => lines.push(l) } },
      failing(1).work,
    );
    expect(lines).toEqual([expect.stringMatching(/^publishing failed \(attempt 1\), retrying in [01] ms: not yet$/)]);
  });
});

describe('backoffDelay', () => {
  it('doubles its ceiling from the first wait up to the longest, and waits between half and all of it', () => {
    const policy = { initialMs: 100, maxMs: 1_000 };
    for (const [attempt, ceiling] of [
      [1, 100],
      [2, 200],
      [4, 800],
      [5, 1_000],
      [9, 1_000],
    ] as const) {
      const delay = backoffDelay(attempt, policy);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('LazyConnection', () => {
  it('opens on first use, once, and forgets a failed open so that the next use tries again', async () => {
    let opened = 0;
    const connection = new LazyConnection(async () => {
      if (++opened === 1) throw new Error('refused');
      return 'connected';
    });
    await expect(connection.get()).rejects.toThrow('refused');
    await expect(Promise.all([connection.get(), connection.get()])).resolves.toEqual(['connected', 'connected']);
    expect(opened).toBe(2);
  });

  it('closes what it opened, and nothing when it opened nothing', async () => {
    const closed: string[] = [];
    const connection = new LazyConnection(async () => 'connected');
    await connection.close(async (c) => void closed.push(c));
    await connection.get();
    await connection.close(async (c) => void closed.push(c)); // closed already: nothing to close
    expect(closed).toEqual(['connected']);
  });
});
