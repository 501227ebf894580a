import { dropLeftovers } from './test-db.js';

export const mochaHooks = {
  async afterAll() {
    await dropLeftovers();
  },
};
