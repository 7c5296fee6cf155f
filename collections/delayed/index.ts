// The Delayed collection's public pieces, re-exported by the package root.
export { Delayed } from './delayed.js';
export {
  delayed,
  type DelayedOptions,
  type DelayedLike,
  type DelayedArgs,
  type DelayedTuple,
} from './delayed-function.js';
