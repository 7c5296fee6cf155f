// The array operations, one module per family; DaskArray's methods call these.
export { binary, unary, astype, where, maximum, minimum } from './elementwise.js';
export { reduction, argReduction, type ReductionOptions, type ArgReductionOptions } from './reductions.js';
export { slice, type IndexInput } from './slicing.js';
export { transpose, reshape } from './shape.js';
export { rechunk, type ChunksInput } from './rechunk.js';
export { matmul } from './matmul.js';
export { concatenate, stack } from './concatenate.js';
