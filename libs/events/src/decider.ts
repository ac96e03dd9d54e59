/**
 * The one shape of every saga participant's logic (after the decider pattern): three pure functions about one
 * order, with no framework, database or broker in sight. What the participant knows of an order it has not heard
 * of; what it publishes on an input (an event another service published, or a command such as a customer's
 * cancellation), given what it knows and what the decision needs from outside the order (the context); and how an
 * input, or an event it published, changes what it knows.
 *
 * A runner does the rest the same way for every participant (@saga/inbox's DeciderRunner): load the state,
 * decide, evolve with the input and the outputs, save the state and the outputs in one transaction.
 */
import type { SagaEvent } from './catalogue.js';

export type Decider<State, Input extends { readonly orderId: string }, Output extends SagaEvent, Context> = {
  readonly initialState: (orderId: string) => State;
  readonly decide: (state: State, input: Input, context: Context) => Output[];
  readonly evolve: (state: State, event: Input | Output) => State;
};
