import { describe, expect, it } from '@jest/globals';
import { TransientError } from '@saga/runtime';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable, isTransientFailure } from './failures.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a server shutting down', new QueryFailedError('SELECT 1', [], withCode('terminating connection', '57P01'))],
    ['a server starting up', withCode('the database system is starting up', '57P03')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a wrapped cause', new Error('saving the order failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })],
  ])('%s: the database is unavailable, which is transient', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a unique violation', new QueryFailedError('INSERT', [], withCode('duplicate key', '23505'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
  ])('%s: a real failure, not an outage', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('isTransientFailure', () => {
  it.each([
    ['a deadlock', new QueryFailedError('UPDATE', [], withCode('deadlock detected', '40P01'))],
    ['a serialization failure', withCode('could not serialize access', '40001')],
    [
      'a broker that does not answer',
      Object.assign(new Error('Connection timeout'), { name: 'KafkaJSConnectionError' }),
    ],
    ['a condition time will fix', new TransientError('order 42 is not in the view yet')],
    ['too many connections', new QueryFailedError('SELECT', [], withCode('sorry, too many clients already', '53300'))],
    ['a primary demoted in a failover', withCode('cannot execute UPDATE in a read-only transaction', '25006')],
    ['a statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a full disk', withCode('could not extend file: No space left on device', '53100')],
  ])('%s: retried for as long as it lasts', (_, error) => {
    expect(isTransientFailure(error)).toBe(true);
  });

  it.each([
    ['a check constraint', new QueryFailedError('INSERT', [], withCode('violates check constraint', '23514'))],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('%s: fails the same way every time', (_, error) => {
    expect(isTransientFailure(error)).toBe(false);
  });
});
