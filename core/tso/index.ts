/** The TSO module: codec, cluster clock and PD's timestamp allocator. */
export * from './tso.ts';
export * from './clock.ts';
export * from './allocator.ts';
