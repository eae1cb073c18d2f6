export * from './protocol/index.ts';
export * from './simulated/index.ts';
