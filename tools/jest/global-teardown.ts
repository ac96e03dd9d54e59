import type { Infrastructure } from '@saga/testing';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { sagaInfrastructure?: Infrastructure }).sagaInfrastructure?.stop();
}
