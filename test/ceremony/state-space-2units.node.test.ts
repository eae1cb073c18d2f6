/** Every reachable state of 2 units (state-space.ts has what is checked). */
import { describe, it } from '../harness.ts';
import { runSpace } from './state-space.ts';

describe('next safe action over every reachable state', () => {
  it('2 units: the action is the oracle\'s, carrying it out gives the expected state, no blob lost, the journal verifies', async () => {
    await runSpace(2);
  });
});
