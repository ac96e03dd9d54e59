/**
 * What every participant's handler does, once: in the transaction the inbox opened for the input, load what the
 * participant knows of the order (locked), decide, evolve with the input and the outputs, and save the new state
 * and the outputs (as outbox rows) together. A participant brings its pure decider and a store, its port to the
 * database: the store knows where state lives and what a decision needs from outside the order (the context).
 */
import { Injectable } from '@nestjs/common';
import type { Decider, SagaEvent } from '@saga/events';
import { Outbox } from '@saga/outbox';
import type { EntityManager } from 'typeorm';

export interface DeciderStore<State, Input, Context> {
  /** The state of the input's order, locked for the transaction (`initial` when there is none yet), and the context. */
  load(transaction: EntityManager, input: Input, initial: State): Promise<{ state: State; context: Context }>;
  /** Saves `state` (the state after the decision; `before` the state it was decided from). */
  save(transaction: EntityManager, state: State, before: State): Promise<void>;
}

export type Participant<State, Input extends { readonly orderId: string }, Output extends SagaEvent, Context> = {
  readonly decider: Decider<State, Input, Output, Context>;
  readonly store: DeciderStore<State, Input, Context>;
};

@Injectable()
export class DeciderRunner {
  constructor(private readonly outbox: Outbox) {}

  /** Runs `participant` on `input` inside `transaction`; returns the state after it and the events it published. */
  async run<State, Input extends { readonly orderId: string }, Output extends SagaEvent, Context>(
    transaction: EntityManager,
    { decider, store }: Participant<State, Input, Output, Context>,
    input: Input,
  ): Promise<{ state: State; outputs: Output[] }> {
    const { state, context } = await store.load(transaction, input, decider.initialState(input.orderId));
    const outputs = decider.decide(state, input, context);
    const next = [input, ...outputs].reduce<State>(decider.evolve, state);
    if (next !== state) await store.save(transaction, next, state);
    await this.outbox.enqueue(transaction, ...outputs);
    return { state: next, outputs };
  }
}
