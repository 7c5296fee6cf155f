/*
 * One-pass moments of a row (count, sum, m2 = sum of squared deviations from the mean), for
 * var/std reductions along the innermost dimension. Each block of 128 elements is shifted by its
 * own first value K: s1 = sum(x - K) and s2 = sum((x - K)^2) give the block's
 * (count c, sum c K + s1, m2 = s2 - s1^2 / c) with relative error O(128 eps), because K is one of
 * the block's values so (K - mean)^2 <= m2 (no catastrophic cancellation). Blocks are combined
 * pairwise by a binary counter over a stack of triples with Chan et al.'s formula
 *   n = na + nb, d = mean_b - mean_a, m2 = m2a + m2b + d^2 na nb / n.
 * Long rows are read as MOMENT_STREAMS block-aligned segments side by side (more memory requests
 * in flight, as for sums), each with its own triple stack in lockstep; the tail after the
 * segments is one more stream of blocks, the last one partial; everything is merged with the same
 * formula and finally merged into the slot's running triple (acc = count, acc2 = sum,
 * acc3 = m2), since several rows may feed one slot.
 */
import {
  declareLanes,
  lane,
  PAIRWISE_BLOCK,
  segmentPos,
  segments,
  STREAM_MIN,
  type Ctx,
  type Load,
} from './reduce-emit-lanes.js';

const MOMENT_STREAMS = 4;
const MOMENT_LANES = 4;
/** Stack entries per stream: 64 levels of (count, sum, m2). */
const TRIPLES = 3 * 64;

/** Chan et al.: merges the triple (ca, sa, ma) into the running triple (c, s, m). */
function chanInto(c: string, s: string, m: string, ca: string, sa: string, ma: string): string[] {
  return [
    `if (${c} === 0) { ${c} = ${ca}; ${s} = ${sa}; ${m} = ${ma}; }`,
    `else if (${ca} > 0) { const nn = ${ca} + ${c}; const dl = ${s} / ${c} - ${sa} / ${ca}; ${m} = ${ma} + ${m} + dl * dl * (${ca} * ${c} / nn); ${s} = ${sa} + ${s}; ${c} = nn; }`,
  ];
}

function stackAt(stream: number, field: number): string {
  const off = stream * TRIPLES + field;
  return off === 0 ? 'stk[st]' : `stk[st + ${off}]`;
}

/** Code merging the current row's moments into slot `slot` of acc/acc2/acc3. */
export function momentRow(ctx: Ctx, load: Load, n: string, slot: string): string[] {
  return [
    'let c = 0, s = 0, m2 = 0, lo = 0;',
    `if (${n} >= ${STREAM_MIN}) {`,
    ...streamedMoments(ctx, load, n),
    '}',
    ...tailMoments(ctx, load, n),
    `const sc = acc[${slot}], ss = acc2[${slot}], sm = acc3[${slot}];`,
    ...chanInto('c', 's', 'm2', 'sc', 'ss', 'sm'),
    `acc[${slot}] = c; acc2[${slot}] = s; acc3[${slot}] = m2;`,
  ];
}

/** MOMENT_STREAMS segments of whole blocks covering [0, lo); merged into (c, s, m2). */
function streamedMoments(ctx: Ctx, load: Load, n: string): string[] {
  const B = PAIRWISE_BLOCK;
  const S = MOMENT_STREAMS;
  const each = (f: (k: number) => string[]): string[] => Array.from({ length: S }, (_, k) => f(k)).flat();
  const body = each((k) => {
    const [code, v] = lane(ctx, load, segmentPos(k), `_m${k}_`);
    return [...code, `const d${k} = ${v} - K${k};`, `r${k} += d${k};`, `q${k} += d${k} * d${k};`];
  });
  return [
    `const L = Math.floor(${n} / ${S * B}) * ${B};`,
    ...segments(S),
    'let st = 0, blk = 0;',
    `for (let i = 0; i < L; i += ${B}) {`,
    ...each((k) => {
      const [code, v] = lane(ctx, load, segmentPos(k, 'i'), `_k${k}_`);
      return [...code, `const K${k} = ${v};`];
    }),
    declareLanes('r', S, '0'),
    declareLanes('q', S, '0'),
    `for (let j = i, e = i + ${B}; j < e; j++) {`,
    ...body,
    '}',
    ...each((k) => [`let bc${k} = ${B}, bs${k} = ${B} * K${k} + r${k}, bm${k} = q${k} - r${k} * r${k} / ${B};`]),
    'for (let b = blk; (b & 1) === 1; b >>>= 1) {',
    'st -= 3;',
    ...each((k) => chanInto(`bc${k}`, `bs${k}`, `bm${k}`, stackAt(k, 0), stackAt(k, 1), stackAt(k, 2))),
    '}',
    ...each((k) => [`${stackAt(k, 0)} = bc${k}; ${stackAt(k, 1)} = bs${k}; ${stackAt(k, 2)} = bm${k};`]),
    'st += 3; blk++;',
    '}',
    ...each((k) => [`let fc${k} = 0, fs${k} = 0, fm${k} = 0;`]),
    'while (st > 0) {',
    'st -= 3;',
    ...each((k) => chanInto(`fc${k}`, `fs${k}`, `fm${k}`, stackAt(k, 0), stackAt(k, 1), stackAt(k, 2))),
    '}',
    ...each((k) => chanInto('c', 's', 'm2', `fc${k}`, `fs${k}`, `fm${k}`)),
    `lo = ${S} * L;`,
  ];
}

/** Blocks of [lo, n) (the last one partial), merged into (c, s, m2). */
function tailMoments(ctx: Ctx, load: Load, n: string): string[] {
  const B = PAIRWISE_BLOCK;
  const lanes = Array.from({ length: MOMENT_LANES }, (_, l) => l);
  const step = (l: number, pos: string, prefix: string): string[] => {
    const [code, v] = lane(ctx, load, pos, prefix);
    return [...code, `const d${l} = ${v} - K;`, `r${l} += d${l};`, `q${l} += d${l} * d${l};`];
  };
  const [kLines, kValue] = lane(ctx, load, 'i', '_k_');
  return [
    '{',
    'let st = 0, blk = 0;',
    `for (let i = lo; i < ${n}; i += ${B}) {`,
    `const e = i + ${B} < ${n} ? i + ${B} : ${n};`,
    ...kLines,
    `const K = ${kValue};`,
    declareLanes('r', MOMENT_LANES, '0'),
    declareLanes('q', MOMENT_LANES, '0'),
    'let j = i;',
    `for (; j + ${MOMENT_LANES} <= e; j += ${MOMENT_LANES}) {`,
    ...lanes.flatMap((l) => step(l, l === 0 ? 'j' : `(j + ${l})`, `_${l}_`)),
    '}',
    'for (; j < e; j++) {',
    ...step(0, 'j', '_r_'),
    '}',
    'const s1 = (r0 + r1) + (r2 + r3);',
    'let bc = e - i, bs = bc * K + s1, bm = ((q0 + q1) + (q2 + q3)) - s1 * s1 / bc;',
    'for (let b = blk; (b & 1) === 1; b >>>= 1) {',
    'st -= 3;',
    ...chanInto('bc', 'bs', 'bm', 'stk[st]', 'stk[st + 1]', 'stk[st + 2]'),
    '}',
    'stk[st] = bc; stk[st + 1] = bs; stk[st + 2] = bm; st += 3; blk++;',
    '}',
    'while (st > 0) {',
    'st -= 3;',
    ...chanInto('c', 's', 'm2', 'stk[st]', 'stk[st + 1]', 'stk[st + 2]'),
    '}',
    '}',
  ];
}
