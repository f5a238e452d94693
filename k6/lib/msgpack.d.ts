// Generated from the JSDoc of msgpack.js by k6/tools/declarations.ts: do not edit.
/**
 * Encodes a flat map (keys in insertion order; `undefined` values left out, as
 * `@msgpack/msgpack` does with `ignoreUndefined`). Numbers that are safe
 * integers take the smallest integer form, others float64.
 * @param {Record<string, EncodableValue>} map
 * @returns {Uint8Array}
 */
export function encodeMap(map: Record<string, EncodableValue>): Uint8Array;
/**
 * Decodes one msgpack value. Binary values are views into `input`, not copies.
 * Throws on truncated input, trailing bytes and ext types.
 * @param {ArrayBuffer | Uint8Array} input
 * @returns {unknown} maps as plain objects, binary as Uint8Array views
 */
export function decode(input: ArrayBuffer | Uint8Array): unknown;
export type EncodableValue = string | number | boolean | null | undefined | Uint8Array | ArrayBuffer;
