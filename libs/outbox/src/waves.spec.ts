import { describe, expect, it } from '@jest/globals';
import { inWaves } from './waves.js';

const record = (key: string, topic: string, name: string) => ({ key, topic, name });
const names = (waves: { name: string }[][]) => waves.map((wave) => wave.map((r) => r.name));

describe('the relay sends a batch in waves', () => {
  it("sends an order's event only after its snapshot, which went to another topic, was acknowledged", () => {
    const batch = [record('a', 'orders', 'a-snapshot-1'), record('a', 'order-events', 'a-placed')];
    expect(names(inWaves(batch))).toEqual([['a-snapshot-1'], ['a-placed']]);
  });

  it('sends the records of many keys together, so a batch of new orders takes two requests, not one per order', () => {
    const batch = ['a', 'b', 'c'].flatMap((key) => [
      record(key, 'orders', `${key}-snapshot`),
      record(key, 'order-events', `${key}-placed`),
    ]);
    expect(names(inWaves(batch))).toEqual([
      ['a-snapshot', 'b-snapshot', 'c-snapshot'],
      ['a-placed', 'b-placed', 'c-placed'],
    ]);
  });

  it("keeps one key's records on one topic in one wave: their partition keeps them in order", () => {
    const batch = [record('a', 'order-events', 'a-1'), record('a', 'order-events', 'a-2'), record('b', 'x', 'b-1')];
    expect(names(inWaves(batch))).toEqual([['a-1', 'a-2', 'b-1']]);
  });

  it('starts a new wave at every change of topic within a key, back and forth', () => {
    const batch = [
      record('a', 'orders', 'a-snapshot-1'),
      record('a', 'order-events', 'a-placed'),
      record('a', 'orders', 'a-snapshot-2'),
      record('a', 'order-events', 'a-cancelled'),
      record('b', 'order-events', 'b-placed'),
    ];
    expect(names(inWaves(batch))).toEqual([
      ['a-snapshot-1', 'b-placed'],
      ['a-placed'],
      ['a-snapshot-2'],
      ['a-cancelled'],
    ]);
  });
});
