import type { MutationResolver } from '../types.js';

export const ping: MutationResolver<'ping'> = () => true;
