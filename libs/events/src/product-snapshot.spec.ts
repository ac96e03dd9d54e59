import { describe, expect, it } from '@jest/globals';
import { parseProductSnapshot } from './product-snapshot.js';

const book = { sku: 'BOOK-1', name: 'A book', priceCents: 1500, version: 2, updatedAt: '2026-12-01T10:00:00.000Z' };

describe('parseProductSnapshot', () => {
  it('reads a product, and a tombstone as "no longer sold"', () => {
    expect(parseProductSnapshot(JSON.stringify(book), 'BOOK-1')).toEqual({ ok: true, sku: 'BOOK-1', product: book });
    expect(parseProductSnapshot(null, 'BOOK-1')).toEqual({ ok: true, sku: 'BOOK-1', product: null });
  });

  it.each([
    ['a key that is not a SKU', JSON.stringify(book), 'BOOK 1', 'record key "BOOK 1" is not a SKU'],
    ['a key that is another SKU', JSON.stringify(book), 'MUG-1', 'differs from sku "BOOK-1"'],
    ['a price of nothing', JSON.stringify({ ...book, priceCents: 0 }), 'BOOK-1', 'priceCents'],
    ['a fractional price', JSON.stringify({ ...book, priceCents: 12.5 }), 'BOOK-1', 'priceCents'],
    ['no version', JSON.stringify({ ...book, version: undefined }), 'BOOK-1', 'version'],
    ['bytes that are not JSON', 'BOOK-1 costs 15', 'BOOK-1', 'not JSON'],
  ])('rejects %s, saying why', (_, value, key, why) => {
    const parsed = parseProductSnapshot(value, key);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(why);
  });
});
