export * from './protocol/index.ts';
export * from './simulated/index.ts';
export * from './transport.ts';
export * from './client.ts';
export * from './transports/memory.ts';
export * from './transports/worker.ts';
export * from './transports/worker-host.ts';
export * from './transports/worker-protocol.ts';
