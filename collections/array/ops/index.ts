// The array operations, one module per family: each takes ArrayExprs and returns one.
// DaskArray's methods and the da.* functions (functions.ts) wrap these.
export { binary, unary, astype, where, maximum, minimum } from './elementwise.js';
export { reduction, argReduction, type ReductionOptions, type ArgReductionOptions } from './reductions.js';
export { slice, type IndexInput } from './slicing.js';
export { transpose, reshape } from './shape.js';
export { rechunk, type ChunksInput } from './rechunk.js';
export { matmul } from './matmul.js';
export { concatenate, stack } from './concatenate.js';
export { mapBlocks, blockwise, type MapBlocksOptions, type BlockwiseOptions } from './map-blocks.js';
export {
  fromArray,
  fromBlocks,
  full,
  zeros,
  ones,
  arange,
  linspace,
  random,
  type ArraySource,
  type FromArrayOptions,
  type CreateOptions,
  type RandomOptions,
} from './creation.js';
