/**
 * One way to test every participant's decisions, as a specification: given what it heard and published before,
 * when this input comes (with this context), then it publishes these events.
 *
 *   given(payment, orderPlaced).when(orderCancelled, { now }).then('PaymentRefunded')
 */
import type { Decider, SagaEvent } from '@saga/events';
import { deepStrictEqual } from 'node:assert/strict';

export function given<State, Input extends { readonly orderId: string }, Output extends SagaEvent, Context>(
  decider: Decider<State, Input, Output, Context>,
  ...history: (Input | Output)[]
) {
  return {
    when(input: Input, context: Context) {
      const before = history.reduce<State>(decider.evolve, decider.initialState(input.orderId));
      const outputs = decider.decide(before, input, context);
      const state = [input, ...outputs].reduce<State>(decider.evolve, before);
      return {
        /** The events published, and the state after them, for a closer look. */
        outputs,
        state,
        /** Asserts the types of the events published, in order (none: nothing). */
        then(...types: Output['type'][]) {
          deepStrictEqual(
            outputs.map((event) => event.type),
            types,
            `expected ${JSON.stringify(types)} to be published, not ${JSON.stringify(outputs.map((e) => e.type))}`,
          );
          return { outputs, state };
        },
      };
    },
  };
}
