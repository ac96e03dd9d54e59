import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createDatabase, dropDatabase, testInfrastructure } from '@saga/testing';
import { DataSource } from 'typeorm';
import { afterCommit } from './after-commit.js';
import { databaseOptions } from './database.js';

let databaseUrl: string;
let dataSource: DataSource;

beforeAll(async () => {
  databaseUrl = await createDatabase(testInfrastructure().postgresUrl, 'after_commit');
  dataSource = await new DataSource({ ...databaseOptions(databaseUrl, [], []), logging: false } as never).initialize();
});

afterAll(async () => {
  await dataSource?.destroy();
  if (databaseUrl) await dropDatabase(databaseUrl);
});

describe('afterCommit', () => {
  it('runs the work once the transaction has committed, not before', async () => {
    const ran: string[] = [];
    await dataSource.transaction(async (transaction) => {
      afterCommit(transaction, () => ran.push('counted'));
      await transaction.query('SELECT 1');
      expect(ran).toEqual([]);
    });
    expect(ran).toEqual(['counted']);
  });

  it('never runs it when the transaction rolls back, nor in the next one on the same connection', async () => {
    const ran: string[] = [];
    await expect(
      dataSource.transaction(async (transaction) => {
        afterCommit(transaction, () => ran.push('counted'));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await dataSource.transaction((transaction) => transaction.query('SELECT 1'));
    expect(ran).toEqual([]);
  });

  it('refuses work given outside a transaction', () => {
    expect(() => afterCommit(dataSource.manager, () => undefined)).toThrow(/open transaction/);
  });
});
