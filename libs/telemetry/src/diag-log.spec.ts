import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CollapsingDiagLogger } from './diag-log.js';

describe('CollapsingDiagLogger', () => {
  it('says a repeated complaint once a minute, with how many times it came meanwhile', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    let now = 0;
    const diag = new CollapsingDiagLogger(() => now);
    const failure = JSON.stringify({ message: 'getaddrinfo ENOTFOUND jaeger', stack: 'Error: …' });

    for (; now < 60_000; now += 5_000) diag.warn('export failed', failure);
    diag.warn('another thing');
    now = 61_000;
    diag.warn('export failed', failure);

    expect(warn.mock.calls.map(([message]) => message)).toEqual([
      'export failed getaddrinfo ENOTFOUND jaeger',
      'another thing',
      'export failed getaddrinfo ENOTFOUND jaeger (11 more times in the last minute)',
    ]);
    warn.mockRestore();
  });
});
