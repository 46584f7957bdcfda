/** The API contract: channel schemas, result types and the handler map type. */
export * from './schemas.ts';
export * from './types.ts';
export * from './logbackup.ts';
export * from './snapshot.ts';
export * from './restore.ts';
export * from './metrics.ts';
export * from './browse.ts';
export * from './events.ts';
export * from './common.ts';
export * from './bridge.ts';
export * from './ts-text.ts';
