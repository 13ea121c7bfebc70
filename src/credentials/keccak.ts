import { createRequire } from "node:module";
import { dirname } from "node:path";

// keccak256 for the hot paths: Merkle pair hashing (the tree of a large batch hashes one pair per leaf) and the
// hashes a verification takes of every credential (its JWT, its anchor leaf, public keys). ethers' general-purpose
// keccak256 (hex in, hex out, @noble/hashes' sponge) costs about five times as much per pair and per kilobyte, which
// would put a 100,000-credential batch over a second and a verification's hashing above its signature check. This
// is the same Keccak-f[1600] permutation, with the state held in 32-bit halves of each 64-bit lane and the 24
// rounds' steps unrolled. Inputs of a block or more (a JWT, a canonical payload: kilobytes) go to the `keccak`
// package's native sponge (N-API, prebuilt: no build step) when it loads, about three and a half times faster per
// kilobyte; below a block the call into it costs more than it saves. `LER_KECCAK=js` keeps everything in JS. Output
// is checked against ethers' keccak256, both ways, in test/credentials/merkle.test.ts and test/verify/hashing.test.ts.

// Round constants, low and high 32-bit half of each.
// prettier-ignore
const ROUND_CONSTANTS = new Int32Array([
  0x00000001, 0x00000000,   0x00008082, 0x00000000,   0x0000808a, 0x80000000,   0x80008000, 0x80000000,
  0x0000808b, 0x00000000,   0x80000001, 0x00000000,   0x80008081, 0x80000000,   0x00008009, 0x80000000,
  0x0000008a, 0x00000000,   0x00000088, 0x00000000,   0x80008009, 0x00000000,   0x8000000a, 0x00000000,
  0x8000808b, 0x00000000,   0x0000008b, 0x80000000,   0x00008089, 0x80000000,   0x00008003, 0x80000000,
  0x00008002, 0x80000000,   0x00000080, 0x80000000,   0x0000800a, 0x00000000,   0x8000000a, 0x80000000,
  0x80008081, 0x80000000,   0x00008080, 0x80000000,   0x80000001, 0x00000000,   0x80008008, 0x80000000,
]);

// The sponge state: lane i is s[2i] (bits 0..31) and s[2i + 1] (bits 32..63).
const state = new Int32Array(50);

/**
 * Writes keccak256(x[xo..xo+32] || y[yo..yo+32]) to out[oo..oo+32]. `out` may overlap the inputs: they are read
 * before it is written.
 */
export function keccak256Concat(
  x: Uint8Array,
  xo: number,
  y: Uint8Array,
  yo: number,
  out: Uint8Array,
  oo: number,
): void {
  const s = state;
  s.fill(0);
  // 64 message bytes fill lanes 0..7 (little-endian); the rate is 136 bytes, so the block is padded in place:
  // 0x01 right after the message (byte 64), 0x80 in the last byte of the rate (byte 135).
  for (let k = 0; k < 8; k++) {
    const i = xo + 4 * k;
    s[k] = x[i]! | (x[i + 1]! << 8) | (x[i + 2]! << 16) | (x[i + 3]! << 24);
    const j = yo + 4 * k;
    s[k + 8] = y[j]! | (y[j + 1]! << 8) | (y[j + 2]! << 16) | (y[j + 3]! << 24);
  }
  s[16] = 0x01;
  s[33] = 0x80000000 | 0;
  permute(s);
  for (let k = 0; k < 8; k++) {
    const v = s[k]!;
    const o = oo + 4 * k;
    out[o] = v & 0xff;
    out[o + 1] = (v >>> 8) & 0xff;
    out[o + 2] = (v >>> 16) & 0xff;
    out[o + 3] = v >>> 24;
  }
}

/** Keccak-256 rate: 1088 bits. */
const RATE = 136;
const tail = new Uint8Array(RATE);

/** The native sponge of the `keccak` package (KeccakState of its binding). */
interface NativeKeccakState {
  initialize(rate: number, capacity: number): void;
  absorb(data: Buffer): void;
  squeeze(length: number): Buffer;
}

const native = loadNative();
let scratch = Buffer.allocUnsafeSlow(16 * 1024);

/** Which implementation hashes inputs of a block or more: for reports and benchmarks. */
export const keccakBackend: string = native === undefined ? "JS" : "native (keccak N-API binding)";

function loadNative(): ((data: Buffer) => Buffer) | undefined {
  if (process.env.LER_KECCAK === "js") return undefined;
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve("keccak/package.json"));
    const State = createRequire(require.resolve("keccak/package.json"))("node-gyp-build")(dir) as unknown;
    if (typeof State !== "function") return undefined;
    const state = new (State as new () => NativeKeccakState)();
    const hash = (data: Buffer) => {
      state.initialize(1088, 512); // keccak256: rate 1088 bits, capacity 512
      state.absorb(data);
      return state.squeeze(32);
    };
    // A binding that loads but answers wrong is not used: keccak256("abc").
    if (hash(Buffer.from("abc")).toString("hex") !== "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
      return undefined;
    return hash;
  } catch {
    return undefined;
  }
}

/** keccak256 of `data` (Ethereum's Keccak, not SHA3-256), as 32 bytes. */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  if (native !== undefined && data.length >= RATE) {
    return native(Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }
  return keccak256BytesJs(data);
}

/** keccak256 of `data` in JS, whatever its length (exported for the tests that hold both implementations equal). */
export function keccak256BytesJs(data: Uint8Array): Uint8Array {
  const s = state;
  s.fill(0);
  const n = data.length;
  let o = 0;
  for (; o + RATE <= n; o += RATE) {
    absorb(s, data, o);
    permute(s);
  }
  // The last block, padded: 0x01 after the message, 0x80 in the last byte of the rate (0x81 if they meet).
  tail.fill(0);
  tail.set(data.subarray(o, n));
  tail[n - o] = 0x01;
  tail[RATE - 1]! |= 0x80;
  absorb(s, tail, 0);
  permute(s);
  const out = new Uint8Array(32);
  for (let k = 0; k < 8; k++) {
    const v = s[k]!;
    out[4 * k] = v & 0xff;
    out[4 * k + 1] = (v >>> 8) & 0xff;
    out[4 * k + 2] = (v >>> 16) & 0xff;
    out[4 * k + 3] = v >>> 24;
  }
  return out;
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/**
 * keccak256 of a string's UTF-8 bytes, or of bytes, as 0x and 64 lowercase hex digits. An ASCII string (a JWT,
 * canonical JSON without other characters) is hashed from its character codes, with no buffer in between.
 */
export function keccak256Hex(input: string | Uint8Array): string {
  if (typeof input !== "string") return digestHex(keccak256Bytes(input));
  if (native !== undefined && input.length >= RATE) {
    // Into one reused buffer (UTF-8 takes at most three bytes per UTF-16 unit): no allocation per hash.
    if (scratch.length < input.length * 3) scratch = Buffer.allocUnsafeSlow(input.length * 3);
    const n = scratch.write(input, "utf8");
    return `0x${native(scratch.subarray(0, n)).toString("hex")}`;
  }
  return keccak256HexJs(input);
}

/** keccak256Hex of a string in JS, whatever its length (exported for the tests). */
export function keccak256HexJs(input: string): string {
  for (let i = 0; i < input.length; i++) {
    if (input.charCodeAt(i) >= 0x80) return digestHex(keccak256BytesJs(Buffer.from(input, "utf8")));
  }
  const s = state;
  s.fill(0);
  const n = input.length;
  let o = 0;
  for (; o + RATE <= n; o += RATE) {
    for (let k = 0; k < 34; k++) {
      const i = o + 4 * k;
      s[k]! ^=
        input.charCodeAt(i) |
        (input.charCodeAt(i + 1) << 8) |
        (input.charCodeAt(i + 2) << 16) |
        (input.charCodeAt(i + 3) << 24);
    }
    permute(s);
  }
  tail.fill(0);
  for (let i = o; i < n; i++) tail[i - o] = input.charCodeAt(i);
  tail[n - o] = 0x01;
  tail[RATE - 1]! |= 0x80;
  absorb(s, tail, 0);
  permute(s);
  let hex = "0x";
  for (let k = 0; k < 8; k++) {
    const v = s[k]!;
    hex += HEX[v & 0xff]! + HEX[(v >>> 8) & 0xff]! + HEX[(v >>> 16) & 0xff]! + HEX[v >>> 24]!;
  }
  return hex;
}

function digestHex(d: Uint8Array): string {
  let hex = "0x";
  for (let i = 0; i < 32; i++) hex += HEX[d[i]!]!;
  return hex;
}

// XORs one 136-byte block (little-endian 32-bit words) into the state.
function absorb(s: Int32Array, d: Uint8Array, o: number): void {
  for (let k = 0; k < 34; k++) {
    const i = o + 4 * k;
    s[k]! ^= d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
  }
}

// Keccak-f[1600]: theta, rho and pi, chi, iota, 24 times.
function permute(s: Int32Array): void {
  // prettier-ignore
  let
    a0l = s[0]!, a0h = s[1]!, a1l = s[2]!, a1h = s[3]!, a2l = s[4]!, a2h = s[5]!,
    a3l = s[6]!, a3h = s[7]!, a4l = s[8]!, a4h = s[9]!, a5l = s[10]!, a5h = s[11]!,
    a6l = s[12]!, a6h = s[13]!, a7l = s[14]!, a7h = s[15]!, a8l = s[16]!, a8h = s[17]!,
    a9l = s[18]!, a9h = s[19]!, a10l = s[20]!, a10h = s[21]!, a11l = s[22]!, a11h = s[23]!,
    a12l = s[24]!, a12h = s[25]!, a13l = s[26]!, a13h = s[27]!, a14l = s[28]!, a14h = s[29]!,
    a15l = s[30]!, a15h = s[31]!, a16l = s[32]!, a16h = s[33]!, a17l = s[34]!, a17h = s[35]!,
    a18l = s[36]!, a18h = s[37]!, a19l = s[38]!, a19h = s[39]!, a20l = s[40]!, a20h = s[41]!,
    a21l = s[42]!, a21h = s[43]!, a22l = s[44]!, a22h = s[45]!, a23l = s[46]!, a23h = s[47]!,
    a24l = s[48]!, a24h = s[49]!;
  for (let r = 0; r < 48; r += 2) {
    const c0l = a0l ^ a5l ^ a10l ^ a15l ^ a20l;
    const c0h = a0h ^ a5h ^ a10h ^ a15h ^ a20h;
    const c1l = a1l ^ a6l ^ a11l ^ a16l ^ a21l;
    const c1h = a1h ^ a6h ^ a11h ^ a16h ^ a21h;
    const c2l = a2l ^ a7l ^ a12l ^ a17l ^ a22l;
    const c2h = a2h ^ a7h ^ a12h ^ a17h ^ a22h;
    const c3l = a3l ^ a8l ^ a13l ^ a18l ^ a23l;
    const c3h = a3h ^ a8h ^ a13h ^ a18h ^ a23h;
    const c4l = a4l ^ a9l ^ a14l ^ a19l ^ a24l;
    const c4h = a4h ^ a9h ^ a14h ^ a19h ^ a24h;
    const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31));
    const d0h = c4h ^ ((c1h << 1) | (c1l >>> 31));
    const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31));
    const d1h = c0h ^ ((c2h << 1) | (c2l >>> 31));
    const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31));
    const d2h = c1h ^ ((c3h << 1) | (c3l >>> 31));
    const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31));
    const d3h = c2h ^ ((c4h << 1) | (c4l >>> 31));
    const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31));
    const d4h = c3h ^ ((c0h << 1) | (c0l >>> 31));
    const t0l = a0l ^ d0l,
      t0h = a0h ^ d0h;
    const b0l = t0l,
      b0h = t0h;
    const t5l = a5l ^ d0l,
      t5h = a5h ^ d0h;
    const b16l = (t5h << 4) | (t5l >>> 28),
      b16h = (t5l << 4) | (t5h >>> 28);
    const t10l = a10l ^ d0l,
      t10h = a10h ^ d0h;
    const b7l = (t10l << 3) | (t10h >>> 29),
      b7h = (t10h << 3) | (t10l >>> 29);
    const t15l = a15l ^ d0l,
      t15h = a15h ^ d0h;
    const b23l = (t15h << 9) | (t15l >>> 23),
      b23h = (t15l << 9) | (t15h >>> 23);
    const t20l = a20l ^ d0l,
      t20h = a20h ^ d0h;
    const b14l = (t20l << 18) | (t20h >>> 14),
      b14h = (t20h << 18) | (t20l >>> 14);
    const t1l = a1l ^ d1l,
      t1h = a1h ^ d1h;
    const b10l = (t1l << 1) | (t1h >>> 31),
      b10h = (t1h << 1) | (t1l >>> 31);
    const t6l = a6l ^ d1l,
      t6h = a6h ^ d1h;
    const b1l = (t6h << 12) | (t6l >>> 20),
      b1h = (t6l << 12) | (t6h >>> 20);
    const t11l = a11l ^ d1l,
      t11h = a11h ^ d1h;
    const b17l = (t11l << 10) | (t11h >>> 22),
      b17h = (t11h << 10) | (t11l >>> 22);
    const t16l = a16l ^ d1l,
      t16h = a16h ^ d1h;
    const b8l = (t16h << 13) | (t16l >>> 19),
      b8h = (t16l << 13) | (t16h >>> 19);
    const t21l = a21l ^ d1l,
      t21h = a21h ^ d1h;
    const b24l = (t21l << 2) | (t21h >>> 30),
      b24h = (t21h << 2) | (t21l >>> 30);
    const t2l = a2l ^ d2l,
      t2h = a2h ^ d2h;
    const b20l = (t2h << 30) | (t2l >>> 2),
      b20h = (t2l << 30) | (t2h >>> 2);
    const t7l = a7l ^ d2l,
      t7h = a7h ^ d2h;
    const b11l = (t7l << 6) | (t7h >>> 26),
      b11h = (t7h << 6) | (t7l >>> 26);
    const t12l = a12l ^ d2l,
      t12h = a12h ^ d2h;
    const b2l = (t12h << 11) | (t12l >>> 21),
      b2h = (t12l << 11) | (t12h >>> 21);
    const t17l = a17l ^ d2l,
      t17h = a17h ^ d2h;
    const b18l = (t17l << 15) | (t17h >>> 17),
      b18h = (t17h << 15) | (t17l >>> 17);
    const t22l = a22l ^ d2l,
      t22h = a22h ^ d2h;
    const b9l = (t22h << 29) | (t22l >>> 3),
      b9h = (t22l << 29) | (t22h >>> 3);
    const t3l = a3l ^ d3l,
      t3h = a3h ^ d3h;
    const b5l = (t3l << 28) | (t3h >>> 4),
      b5h = (t3h << 28) | (t3l >>> 4);
    const t8l = a8l ^ d3l,
      t8h = a8h ^ d3h;
    const b21l = (t8h << 23) | (t8l >>> 9),
      b21h = (t8l << 23) | (t8h >>> 9);
    const t13l = a13l ^ d3l,
      t13h = a13h ^ d3h;
    const b12l = (t13l << 25) | (t13h >>> 7),
      b12h = (t13h << 25) | (t13l >>> 7);
    const t18l = a18l ^ d3l,
      t18h = a18h ^ d3h;
    const b3l = (t18l << 21) | (t18h >>> 11),
      b3h = (t18h << 21) | (t18l >>> 11);
    const t23l = a23l ^ d3l,
      t23h = a23h ^ d3h;
    const b19l = (t23h << 24) | (t23l >>> 8),
      b19h = (t23l << 24) | (t23h >>> 8);
    const t4l = a4l ^ d4l,
      t4h = a4h ^ d4h;
    const b15l = (t4l << 27) | (t4h >>> 5),
      b15h = (t4h << 27) | (t4l >>> 5);
    const t9l = a9l ^ d4l,
      t9h = a9h ^ d4h;
    const b6l = (t9l << 20) | (t9h >>> 12),
      b6h = (t9h << 20) | (t9l >>> 12);
    const t14l = a14l ^ d4l,
      t14h = a14h ^ d4h;
    const b22l = (t14h << 7) | (t14l >>> 25),
      b22h = (t14l << 7) | (t14h >>> 25);
    const t19l = a19l ^ d4l,
      t19h = a19h ^ d4h;
    const b13l = (t19l << 8) | (t19h >>> 24),
      b13h = (t19h << 8) | (t19l >>> 24);
    const t24l = a24l ^ d4l,
      t24h = a24h ^ d4h;
    const b4l = (t24l << 14) | (t24h >>> 18),
      b4h = (t24h << 14) | (t24l >>> 18);
    a0l = b0l ^ (~b1l & b2l);
    a0h = b0h ^ (~b1h & b2h);
    a1l = b1l ^ (~b2l & b3l);
    a1h = b1h ^ (~b2h & b3h);
    a2l = b2l ^ (~b3l & b4l);
    a2h = b2h ^ (~b3h & b4h);
    a3l = b3l ^ (~b4l & b0l);
    a3h = b3h ^ (~b4h & b0h);
    a4l = b4l ^ (~b0l & b1l);
    a4h = b4h ^ (~b0h & b1h);
    a5l = b5l ^ (~b6l & b7l);
    a5h = b5h ^ (~b6h & b7h);
    a6l = b6l ^ (~b7l & b8l);
    a6h = b6h ^ (~b7h & b8h);
    a7l = b7l ^ (~b8l & b9l);
    a7h = b7h ^ (~b8h & b9h);
    a8l = b8l ^ (~b9l & b5l);
    a8h = b8h ^ (~b9h & b5h);
    a9l = b9l ^ (~b5l & b6l);
    a9h = b9h ^ (~b5h & b6h);
    a10l = b10l ^ (~b11l & b12l);
    a10h = b10h ^ (~b11h & b12h);
    a11l = b11l ^ (~b12l & b13l);
    a11h = b11h ^ (~b12h & b13h);
    a12l = b12l ^ (~b13l & b14l);
    a12h = b12h ^ (~b13h & b14h);
    a13l = b13l ^ (~b14l & b10l);
    a13h = b13h ^ (~b14h & b10h);
    a14l = b14l ^ (~b10l & b11l);
    a14h = b14h ^ (~b10h & b11h);
    a15l = b15l ^ (~b16l & b17l);
    a15h = b15h ^ (~b16h & b17h);
    a16l = b16l ^ (~b17l & b18l);
    a16h = b16h ^ (~b17h & b18h);
    a17l = b17l ^ (~b18l & b19l);
    a17h = b17h ^ (~b18h & b19h);
    a18l = b18l ^ (~b19l & b15l);
    a18h = b18h ^ (~b19h & b15h);
    a19l = b19l ^ (~b15l & b16l);
    a19h = b19h ^ (~b15h & b16h);
    a20l = b20l ^ (~b21l & b22l);
    a20h = b20h ^ (~b21h & b22h);
    a21l = b21l ^ (~b22l & b23l);
    a21h = b21h ^ (~b22h & b23h);
    a22l = b22l ^ (~b23l & b24l);
    a22h = b22h ^ (~b23h & b24h);
    a23l = b23l ^ (~b24l & b20l);
    a23h = b23h ^ (~b24h & b20h);
    a24l = b24l ^ (~b20l & b21l);
    a24h = b24h ^ (~b20h & b21h);
    a0l ^= ROUND_CONSTANTS[r]!;
    a0h ^= ROUND_CONSTANTS[r + 1]!;
  }
  // The whole state goes back: a long message absorbs its next block into it.
  s[0] = a0l;
  s[1] = a0h;
  s[2] = a1l;
  s[3] = a1h;
  s[4] = a2l;
  s[5] = a2h;
  s[6] = a3l;
  s[7] = a3h;
  s[8] = a4l;
  s[9] = a4h;
  s[10] = a5l;
  s[11] = a5h;
  s[12] = a6l;
  s[13] = a6h;
  s[14] = a7l;
  s[15] = a7h;
  s[16] = a8l;
  s[17] = a8h;
  s[18] = a9l;
  s[19] = a9h;
  s[20] = a10l;
  s[21] = a10h;
  s[22] = a11l;
  s[23] = a11h;
  s[24] = a12l;
  s[25] = a12h;
  s[26] = a13l;
  s[27] = a13h;
  s[28] = a14l;
  s[29] = a14h;
  s[30] = a15l;
  s[31] = a15h;
  s[32] = a16l;
  s[33] = a16h;
  s[34] = a17l;
  s[35] = a17h;
  s[36] = a18l;
  s[37] = a18h;
  s[38] = a19l;
  s[39] = a19h;
  s[40] = a20l;
  s[41] = a20h;
  s[42] = a21l;
  s[43] = a21h;
  s[44] = a22l;
  s[45] = a22h;
  s[46] = a23l;
  s[47] = a23h;
  s[48] = a24l;
  s[49] = a24h;
}
