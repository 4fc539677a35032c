// sha512Blocks: the SHA-512 compression function (FIPS 180-4 §6.4); resumable-hash.ts drives it.

// Every 64-bit word is a (hi, lo) pair of int32: BigInt or float maths in the round loop would be an order
// of magnitude slower.
const TWO_POW_32 = 4294967296;

// K[t] (§4.2.3): first 64 bits of the fractional parts of the cube roots of the first 80 primes, as hi, lo.
const K512 = Int32Array.from([
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc, 0x3956c25b,
  0xf348b538, 0x59f111f1, 0xb605d019, 0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118, 0xd807aa98, 0xa3030242,
  0x12835b01, 0x45706fbe, 0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2, 0x72be5d74, 0xf27b896f, 0x80deb1fe,
  0x3b1696b1, 0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694, 0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3,
  0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65, 0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483, 0x5cb0a9dc,
  0xbd41fbd4, 0x76f988da, 0x831153b5, 0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210, 0xb00327c8, 0x98fb213f,
  0xbf597fc7, 0xbeef0ee4, 0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725, 0x06ca6351, 0xe003826f, 0x14292967,
  0x0a0e6e70, 0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926, 0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8, 0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b, 0xa2bfe8a1,
  0x4cf10364, 0xa81a664b, 0xbc423001, 0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30, 0xd192e819, 0xd6ef5218,
  0xd6990624, 0x5565a910, 0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8, 0x19a4c116, 0xb8d2d0c8, 0x1e376c08,
  0x5141ab53, 0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8, 0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb,
  0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3, 0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60, 0x84c87814,
  0xa1f0ab72, 0x8cc70208, 0x1a6439ec, 0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9, 0xbef9a3f7, 0xb2c67915,
  0xc67178f2, 0xe372532b, 0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207, 0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f,
  0xee6ed178, 0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6, 0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493, 0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c, 0x4cc5d4be,
  0xcb3e42b6, 0x597f299c, 0xfc657e2a, 0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
]);

// Message schedule scratch shared by all hashers: JavaScript in an isolate is single-threaded and
// sha512Blocks never awaits, so calls cannot interleave, and no allocation is needed per block.
const W_HI = new Int32Array(80);
const W_LO = new Int32Array(80);

function be32(m: Uint8Array, p: number): number {
  return (m[p]! << 24) | (m[p + 1]! << 16) | (m[p + 2]! << 8) | m[p + 3]!;
}

// 64-bit additions: the low halves are summed as unsigned doubles (exact below 2^53), and the carry
// (sum / 2^32, at most 4 here) goes into the high half; `| 0` then wraps both to 32 bits.
export function sha512Blocks(h: Int32Array, m: Uint8Array, pos: number, end: number): number {
  const wh = W_HI,
    wl = W_LO,
    k = K512;
  let h0h = h[0]!,
    h0l = h[1]!,
    h1h = h[2]!,
    h1l = h[3]!,
    h2h = h[4]!,
    h2l = h[5]!,
    h3h = h[6]!,
    h3l = h[7]!;
  let h4h = h[8]!,
    h4l = h[9]!,
    h5h = h[10]!,
    h5l = h[11]!,
    h6h = h[12]!,
    h6l = h[13]!,
    h7h = h[14]!,
    h7l = h[15]!;
  while (end - pos >= 128) {
    for (let t = 0; t < 16; t++) {
      wh[t] = be32(m, pos + t * 8);
      wl[t] = be32(m, pos + t * 8 + 4);
    }
    for (let t = 16; t < 80; t++) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]
      let xh = wh[t - 2]!,
        xl = wl[t - 2]!;
      // σ1 = ROTR19 ^ ROTR61 ^ SHR6  (ROTR by n ≥ 32 swaps the halves and rotates by n - 32)
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      xh = wh[t - 15]!;
      xl = wl[t - 15]!;
      // σ0 = ROTR1 ^ ROTR8 ^ SHR7
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      const lo = (s1l >>> 0) + (wl[t - 7]! >>> 0) + (s0l >>> 0) + (wl[t - 16]! >>> 0);
      wh[t] = s1h + wh[t - 7]! + s0h + wh[t - 16]! + ((lo / TWO_POW_32) | 0);
      wl[t] = lo;
    }
    let ah = h0h,
      al = h0l,
      bh = h1h,
      bl = h1l,
      ch = h2h,
      cl = h2l,
      dh = h3h,
      dl = h3l;
    let eh = h4h,
      el = h4l,
      fh = h5h,
      fl = h5l,
      gh = h6h,
      gl = h6l,
      hh = h7h,
      hl = h7l;
    for (let t = 0; t < 80; t++) {
      // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t];  Σ1 = ROTR14 ^ ROTR18 ^ ROTR41
      const sig1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const sig1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chooseH = (eh & fh) ^ (~eh & gh);
      const chooseL = (el & fl) ^ (~el & gl);
      const t1lo = (hl >>> 0) + (sig1l >>> 0) + (chooseL >>> 0) + (k[t * 2 + 1]! >>> 0) + (wl[t]! >>> 0);
      const t1h = (hh + sig1h + chooseH + k[t * 2]! + wh[t]! + ((t1lo / TWO_POW_32) | 0)) | 0;
      const t1l = t1lo >>> 0;
      // T2 = Σ0(a) + Maj(a, b, c);  Σ0 = ROTR28 ^ ROTR34 ^ ROTR39
      const sig0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const sig0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majH = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const majL = (al & bl) ^ (al & cl) ^ (bl & cl);
      hh = gh;
      hl = gl;
      gh = fh;
      gl = fl;
      fh = eh;
      fl = el;
      const elo = (dl >>> 0) + t1l;
      eh = (dh + t1h + ((elo / TWO_POW_32) | 0)) | 0;
      el = elo | 0;
      dh = ch;
      dl = cl;
      ch = bh;
      cl = bl;
      bh = ah;
      bl = al;
      const alo = t1l + (sig0l >>> 0) + (majL >>> 0);
      ah = (t1h + sig0h + majH + ((alo / TWO_POW_32) | 0)) | 0;
      al = alo | 0;
    }
    let lo: number;
    lo = (h0l >>> 0) + (al >>> 0);
    h0h = (h0h + ah + ((lo / TWO_POW_32) | 0)) | 0;
    h0l = lo | 0;
    lo = (h1l >>> 0) + (bl >>> 0);
    h1h = (h1h + bh + ((lo / TWO_POW_32) | 0)) | 0;
    h1l = lo | 0;
    lo = (h2l >>> 0) + (cl >>> 0);
    h2h = (h2h + ch + ((lo / TWO_POW_32) | 0)) | 0;
    h2l = lo | 0;
    lo = (h3l >>> 0) + (dl >>> 0);
    h3h = (h3h + dh + ((lo / TWO_POW_32) | 0)) | 0;
    h3l = lo | 0;
    lo = (h4l >>> 0) + (el >>> 0);
    h4h = (h4h + eh + ((lo / TWO_POW_32) | 0)) | 0;
    h4l = lo | 0;
    lo = (h5l >>> 0) + (fl >>> 0);
    h5h = (h5h + fh + ((lo / TWO_POW_32) | 0)) | 0;
    h5l = lo | 0;
    lo = (h6l >>> 0) + (gl >>> 0);
    h6h = (h6h + gh + ((lo / TWO_POW_32) | 0)) | 0;
    h6l = lo | 0;
    lo = (h7l >>> 0) + (hl >>> 0);
    h7h = (h7h + hh + ((lo / TWO_POW_32) | 0)) | 0;
    h7l = lo | 0;
    pos += 128;
  }
  h.set([h0h, h0l, h1h, h1l, h2h, h2l, h3h, h3l, h4h, h4l, h5h, h5l, h6h, h6l, h7h, h7l]);
  return pos;
}
