/** Batches, grids and the browser's own queue across several servers. See README.md. */
export * from './axes';
export * from './csv';
export * from './expand';
export * from './values';
export * from './queue';
export * from './release-candidates';
export * from './queue-snapshot';
export * from './throttle';
export * from './requirements';
export * from './dispatch-decision';
export * from './dispatcher';
