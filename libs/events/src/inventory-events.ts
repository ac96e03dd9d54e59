import { z } from 'zod';
import type { Event } from './envelope.js';

export type StockLine = { sku: string; quantity: number };
export type StockShortage = { sku: string; requested: number; available: number };

export type StockReserved = Event<'StockReserved', { lines: StockLine[] }>;
export type StockReservationFailed = Event<'StockReservationFailed', { shortages: StockShortage[] }>;
/** Compensation: a reservation is given back to the available stock. */
export type StockReleased = Event<'StockReleased', { lines: StockLine[] }>;

export type InventoryEvent = StockReserved | StockReservationFailed | StockReleased;

const stockLine = z.object({ sku: z.string().min(1), quantity: z.number().int().positive() });

export const stockReservedData = z.object({ lines: z.array(stockLine).min(1) }) satisfies z.ZodType<
  StockReserved['data']
>;

export const stockReservationFailedData = z.object({
  shortages: z
    .array(
      z.object({
        sku: z.string().min(1),
        requested: z.number().int().positive(),
        available: z.number().int().nonnegative(),
      }),
    )
    .min(1),
}) satisfies z.ZodType<StockReservationFailed['data']>;

export const stockReleasedData = stockReservedData satisfies z.ZodType<StockReleased['data']>;
