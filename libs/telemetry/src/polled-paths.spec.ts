import { describe, expect, it } from '@jest/globals';
import { isPolledPath } from './polled-paths.js';

describe('isPolledPath', () => {
  it.each(['/health', '/health/live', '/health/ready', '/metrics', '/metrics?name=x'])('%s is polled', (url) => {
    expect(isPolledPath(url)).toBe(true);
  });

  it.each(['/orders', '/healthy', '/metrics-old', '/orders/health', '/docs'])('%s is not', (url) => {
    expect(isPolledPath(url)).toBe(false);
  });
});
