// MD5 (RFC 1321) and SHA-512 (FIPS 180-4) of one byte stream, for wasm32; freestanding (no libc, no imports).
// Built by scripts/wasm.mjs into md5-sha512.wasm; src/lib/resumable-digests.ts drives it and (de)serialises
// `state`, which is why its layout is part of the saved-state format there (change both or neither).
//
// Invariant between calls, for `length` bytes hashed so far:
//   md5 has absorbed floor(length / 64) blocks, sha512 floor(length / 128) blocks, and
//   pending[0 .. length % 128) holds the last length % 128 bytes; MD5's unabsorbed tail is the end of them.
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))
#define INPUT_SIZE 65536

typedef struct {
  uint64_t length;
  uint32_t md5[4];
  uint64_t sha512[8];
  uint8_t pending[128];
} state_t;

_Static_assert(sizeof(state_t) == 216, "the JS side hard-codes this layout");

static state_t state;
static uint8_t input[INPUT_SIZE] __attribute__((aligned(16)));
static uint8_t output[16 + 64];

EXPORT state_t *state_ptr(void) { return &state; }
EXPORT uint8_t *input_ptr(void) { return input; }
EXPORT uint8_t *output_ptr(void) { return output; }
EXPORT uint32_t input_size(void) { return INPUT_SIZE; }

INLINE uint32_t rotl32(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }
INLINE uint64_t rotr64(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }
INLINE uint32_t load32le(const uint8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

// Performance notes (measured with V8, the engine of workerd): the block functions below loop over many
// blocks with the chaining state in locals (loading/storing it per block through a pointer measured ~25 %
// slower), and the compiler fully unrolls one step/round function written over the step index, so every
// table lookup folds into a constant and the state rotation is an index, not a move.

// --- MD5 -------------------------------------------------------------------------------------------------

static const uint32_t MD5_K[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const uint8_t MD5_SHIFT[16] = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};
static const uint8_t MD5_WORD[64] = {
    0, 1, 2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 1, 6, 11, 0,  5,  10, 15, 4,  9,  14, 3,  8,  13, 2,  7,  12,
    5, 8, 11, 14, 1,  4,  7,  10, 13, 0,  3,  6,  9,  12, 15, 2,  0, 7, 14, 5,  12, 3,  10, 1,  8,  15, 6,  13, 4,  11, 2,  9,
};

INLINE void md5_step(uint32_t m[4], int j, const uint8_t *block) {
  uint32_t *a = &m[(64 - j) & 3], b = m[(65 - j) & 3], c = m[(66 - j) & 3], d = m[(67 - j) & 3];
  // Everything that does not wait for b (the previous step's result) is summed first: MD5 is one long
  // dependency chain, so the work on it per step is what bounds the speed.
  uint32_t t = *a + load32le(block + 4 * MD5_WORD[j]) + MD5_K[j];
  switch (j >> 4) {
    case 0: t += d ^ (b & (c ^ d)); break;    // F = (b & c) | (~b & d)
    case 1: t += c & ~d; t += b & d; break;  // G = (b & d) | (c & ~d); the two terms share no bit, so + is |
    case 2: t += b ^ (c ^ d); break;          // H
    default: t += c ^ (b | ~d); break;        // I
  }
  *a = rotl32(t, MD5_SHIFT[(j >> 4) * 4 + (j & 3)]) + b;
}

/** Absorbs the n / 64 blocks at p (n a multiple of 64). */
__attribute__((noinline)) static void md5_blocks(uint32_t h[4], const uint8_t *p, uint32_t n) {
  uint32_t s[4] = {h[0], h[1], h[2], h[3]};
  for (uint32_t o = 0; o < n; o += 64) {
    uint32_t m[4] = {s[0], s[1], s[2], s[3]};
#pragma clang loop unroll(full)
    for (int j = 0; j < 64; j++) md5_step(m, j, p + o);
    for (int k = 0; k < 4; k++) s[k] += m[k];
  }
  for (int k = 0; k < 4; k++) h[k] = s[k];
}

// --- SHA-512 ---------------------------------------------------------------------------------------------
// The message schedule is expanded inside the round that needs the word (a 16-word ring), which keeps fewer
// 64-bit values alive at once: in V8 this measured ~1.7x faster than expanding eight words ahead of eight
// rounds. The big-endian words are byte-swapped two at a time with one SIMD shuffle (wasm has no bswap).

static const uint64_t SHA512_K[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL, 0x3956c25bf348b538ULL,
    0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL, 0xd807aa98a3030242ULL, 0x12835b0145706fbeULL,
    0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL, 0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL,
    0xc19bf174cf692694ULL, 0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL, 0x983e5152ee66dfabULL,
    0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL, 0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL,
    0x06ca6351e003826fULL, 0x142929670a0e6e70ULL, 0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL,
    0x53380d139d95b3dfULL, 0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL, 0xd192e819d6ef5218ULL,
    0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL, 0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL,
    0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL, 0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL,
    0x682e6ff3d6b2b8a3ULL, 0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL, 0xca273eceea26619cULL,
    0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL, 0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL,
    0x113f9804bef90daeULL, 0x1b710b35131c471bULL, 0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL,
    0x431d67c49c100d4cULL, 0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

#define BIG_SIGMA0(x) (rotr64((x), 28) ^ rotr64((x), 34) ^ rotr64((x), 39))
#define BIG_SIGMA1(x) (rotr64((x), 14) ^ rotr64((x), 18) ^ rotr64((x), 41))
#define SMALL_SIGMA0(x) (rotr64((x), 1) ^ rotr64((x), 8) ^ ((x) >> 7))
#define SMALL_SIGMA1(x) (rotr64((x), 19) ^ rotr64((x), 61) ^ ((x) >> 6))

INLINE void sha512_round(uint64_t v[8], uint64_t w[16], int i) {
  uint64_t a = v[(80 - i) & 7], b = v[(81 - i) & 7], c = v[(82 - i) & 7], *d = &v[(83 - i) & 7];
  uint64_t e = v[(84 - i) & 7], f = v[(85 - i) & 7], g = v[(86 - i) & 7], *h = &v[(87 - i) & 7];
  uint64_t wi;
  if (i < 16) {
    wi = w[i];
  } else {
    wi = w[i & 15] += SMALL_SIGMA1(w[(i - 2) & 15]) + w[(i - 7) & 15] + SMALL_SIGMA0(w[(i - 15) & 15]);
  }
  uint64_t t1 = *h + BIG_SIGMA1(e) + (g ^ (e & (f ^ g))) + SHA512_K[i] + wi;
  *d += t1;
  *h = t1 + BIG_SIGMA0(a) + (((a ^ b) & (b ^ c)) ^ b);  // Maj(a, b, c)
}

/** Absorbs the n / 128 blocks at p (n a multiple of 128). */
__attribute__((noinline)) static void sha512_blocks(uint64_t h[8], const uint8_t *p, uint32_t n) {
  uint64_t s[8];
  for (int k = 0; k < 8; k++) s[k] = h[k];
  for (uint32_t o = 0; o < n; o += 128) {
    uint64_t v[8], w[16];
    for (int k = 0; k < 8; k++) v[k] = s[k];
#pragma clang loop unroll(full)
    for (int k = 0; k < 8; k++) {
      v128_t x = wasm_v128_load(p + o + 16 * k);
      x = wasm_i8x16_shuffle(x, x, 7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8);
      w[2 * k] = (uint64_t)wasm_i64x2_extract_lane(x, 0);
      w[2 * k + 1] = (uint64_t)wasm_i64x2_extract_lane(x, 1);
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < 80; i++) sha512_round(v, w, i);
    for (int k = 0; k < 8; k++) s[k] += v[k];
  }
  for (int k = 0; k < 8; k++) h[k] = s[k];
}

// --- The stream ------------------------------------------------------------------------------------------

static void copy(uint8_t *to, const uint8_t *from, uint32_t n) {
  while (n--) *to++ = *from++;
}

EXPORT void init(void) {
  static const uint32_t md5_iv[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  // FIPS 180-4 5.3.5: the first 64 bits of the fractional parts of the square roots of the first 8 primes.
  static const uint64_t sha512_iv[8] = {
      0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
      0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
  };
  state.length = 0;
  for (int k = 0; k < 4; k++) state.md5[k] = md5_iv[k];
  for (int k = 0; k < 8; k++) state.sha512[k] = sha512_iv[k];
  for (int k = 0; k < 128; k++) state.pending[k] = 0;
}

/** Hashes input[0, len) (len <= INPUT_SIZE; the caller checks) into both digests. */
EXPORT void update(uint32_t len) {
  const uint8_t *p = input;
  uint32_t fill = (uint32_t)(state.length & 127);
  state.length += len;
  if (fill > 0) {
    uint32_t take = 128 - fill < len ? 128 - fill : len;
    copy(state.pending + fill, p, take);
    if (fill < 64 && fill + take >= 64) md5_blocks(state.md5, state.pending, 64);
    fill += take;
    p += take;
    len -= take;
    if (fill < 128) return;
    md5_blocks(state.md5, state.pending + 64, 64);
    sha512_blocks(state.sha512, state.pending, 128);
  }
  // Whole 128-byte units straight from the input, in two passes over it (it stays in cache); interleaving
  // the two hashes block by block or round by round measured no faster (more live values than registers).
  uint32_t whole = len & ~127u;
  md5_blocks(state.md5, p, whole);
  sha512_blocks(state.sha512, p, whole);
  p += whole;
  len -= whole;
  if (len > 0) {
    copy(state.pending, p, len);
    if (len >= 64) md5_blocks(state.md5, state.pending, 64);
  }
}

/** Writes MD5 (16 bytes) then SHA-512 (64 bytes) of everything so far to `output`; the state is unchanged. */
EXPORT void digest(void) {
  uint8_t block[256];
  uint32_t fill = (uint32_t)(state.length & 127);
  uint64_t bits_lo = state.length << 3, bits_hi = state.length >> 61;

  // MD5: the unabsorbed tail, 0x80, zeros, the 64-bit little-endian bit length; one or two 64-byte blocks.
  uint32_t md5_fill = fill & 63;
  uint32_t md5_len = md5_fill < 56 ? 64 : 128;
  for (uint32_t k = 0; k < md5_len; k++) block[k] = 0;
  copy(block, state.pending + (fill & 64), md5_fill);
  block[md5_fill] = 0x80;
  for (int k = 0; k < 8; k++) block[md5_len - 8 + k] = (uint8_t)(bits_lo >> (8 * k));
  uint32_t md5[4] = {state.md5[0], state.md5[1], state.md5[2], state.md5[3]};
  md5_blocks(md5, block, md5_len);
  for (int k = 0; k < 16; k++) output[k] = (uint8_t)(md5[k >> 2] >> (8 * (k & 3)));

  // SHA-512: pending, 0x80, zeros, the 128-bit big-endian bit length; one or two 128-byte blocks.
  uint32_t sha_len = fill < 112 ? 128 : 256;
  for (uint32_t k = 0; k < sha_len; k++) block[k] = 0;
  copy(block, state.pending, fill);
  block[fill] = 0x80;
  for (int k = 0; k < 8; k++) {
    block[sha_len - 16 + k] = (uint8_t)(bits_hi >> (56 - 8 * k));
    block[sha_len - 8 + k] = (uint8_t)(bits_lo >> (56 - 8 * k));
  }
  uint64_t sha[8];
  for (int k = 0; k < 8; k++) sha[k] = state.sha512[k];
  sha512_blocks(sha, block, sha_len);
  for (int k = 0; k < 64; k++) output[16 + k] = (uint8_t)(sha[k >> 3] >> (56 - 8 * (k & 7)));
}

// --- Measurement only --------------------------------------------------------------------------------------
// bench/hash.mjs times each hash alone with these; they absorb the whole blocks of input[0, len) into a
// scratch state and leave `state` untouched, so no caller of the API above can be affected by them.

static uint32_t bench_md5_state[4];
static uint64_t bench_sha512_state[8];

EXPORT void bench_md5(uint32_t len) { md5_blocks(bench_md5_state, input, len & ~63u); }
EXPORT void bench_sha512(uint32_t len) { sha512_blocks(bench_sha512_state, input, len & ~127u); }
