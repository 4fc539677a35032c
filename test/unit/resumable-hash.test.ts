// Resumable MD5 / SHA-512: known vectors, agreement with crypto.subtle, exact resumption through saved state, bad state.
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/hex";
import { HashStateError, ResumableDigests, ResumableMd5, ResumableSha512 } from "../reference/resumable-hash";

const text = (s: string) => new TextEncoder().encode(s);

/** Deterministic bytes (xorshift32), so a failing size or split point reproduces exactly. */
function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

async function subtleHex(alg: "MD5" | "SHA-512", data: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest(alg, data)));
}

/** Feeds `data` in pieces cut at `cuts`, saving and restoring the state string around every piece. */
function hashResumed(data: Uint8Array, cuts: number[]): { md5: string; sha512: string; states: string[] } {
  const states: string[] = [];
  let md5State = new ResumableMd5().saveState();
  let shaState = new ResumableSha512().saveState();
  let bothState = ResumableDigests.create().saveState();
  let from = 0;
  for (const to of [...cuts, data.length]) {
    const piece = data.subarray(from, to);
    md5State = ResumableMd5.restore(md5State).update(piece).saveState();
    shaState = ResumableSha512.restore(shaState).update(piece).saveState();
    bothState = ResumableDigests.restore(bothState).update(piece).saveState();
    states.push(bothState);
    from = to;
  }
  const both = ResumableDigests.restore(bothState);
  expect(both.length).toBe(data.length);
  const md5 = ResumableMd5.restore(md5State).digestHex();
  const sha512 = ResumableSha512.restore(shaState).digestHex();
  expect(both.digestHex()).toEqual({ md5, sha512 });
  return { md5, sha512, states };
}

/** Sorted distinct cut points in (0, length), from a seeded generator. */
function cutsFor(length: number, count: number, seed: number): number[] {
  const r = pseudoRandom(count * 4, seed);
  const view = new DataView(r.buffer);
  const cuts = new Set<number>();
  for (let i = 0; i < count && length > 1; i++) cuts.add(1 + (view.getUint32(i * 4) % (length - 1)));
  return [...cuts].sort((a, b) => a - b);
}

describe("known vectors", () => {
  const range1024 = new Uint8Array(1024).map((_, i) => i & 0xff);
  const vectors: { name: string; data: Uint8Array; md5: string; sha512: string }[] = [
    {
      name: "empty",
      data: text(""),
      md5: "d41d8cd98f00b204e9800998ecf8427e",
      sha512:
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
    },
    {
      name: "abc",
      data: text("abc"),
      md5: "900150983cd24fb0d6963f7d28e17f72",
      sha512:
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    },
    {
      name: "bytes(range(256))*4",
      data: range1024,
      md5: "b2ea9f7fcea831a4a63b213f41a8855b",
      sha512:
        "37f652be867f28ed033269cbba201af2112c2b3fd334a89fd2f757938ddee815787cc61d6e24a8a33340d0f7e86ffc058816b88530766ba6e231620a130b566c",
    },
  ];

  it.each(vectors)("$name", ({ data, md5, sha512 }) => {
    expect(new ResumableMd5().update(data).digestHex()).toBe(md5);
    expect(new ResumableSha512().update(data).digestHex()).toBe(sha512);
    expect(ResumableDigests.create().update(data).digestHex()).toEqual({ md5, sha512 });
  });

  it("RFC 1321 appendix A.5 suite (MD5)", () => {
    const suite: [string, string][] = [
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [input, md5] of suite) expect(new ResumableMd5().update(text(input)).digestHex()).toBe(md5);
  });

  it("FIPS 180-4 example: the two-block 896-bit message (SHA-512)", () => {
    const msg =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect(new ResumableSha512().update(text(msg)).digestHex()).toBe(
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    );
  });
});

// Sizes around the padding boundaries: MD5 needs a second final block from 56 bytes, SHA-512 from 112.
const SIZES = [0, 1, 55, 56, 63, 64, 111, 112, 127, 128, 129, 1024 * 1024 + 7];

describe("agrees with crypto.subtle.digest", () => {
  it.each(SIZES)("%i bytes in one update", async (size) => {
    const data = pseudoRandom(size, size + 1);
    expect(new ResumableMd5().update(data).digestHex()).toBe(await subtleHex("MD5", data));
    expect(new ResumableSha512().update(data).digestHex()).toBe(await subtleHex("SHA-512", data));
  });

  it("input views at odd byte offsets (whole blocks are read in place, not copied)", async () => {
    const backing = pseudoRandom(4096 + 3, 99);
    const data = backing.subarray(3, 3 + 4096);
    const h = ResumableDigests.create();
    h.update(data.subarray(0, 1)).update(data.subarray(1, 2001)).update(data.subarray(2001));
    expect(h.digestHex()).toEqual({ md5: await subtleHex("MD5", data), sha512: await subtleHex("SHA-512", data) });
  });
});

describe("resumption through saveState / restore is exact", () => {
  it.each(SIZES)("%i bytes, saved and restored around every piece", async (size) => {
    const data = pseudoRandom(size, size + 7);
    const expected = { md5: await subtleHex("MD5", data), sha512: await subtleHex("SHA-512", data) };
    for (const [count, seed] of [
      [1, 1],
      [5, 2],
      [40, 3],
    ] as const) {
      const { md5, sha512 } = hashResumed(data, cutsFor(size, count, seed + size));
      expect({ md5, sha512 }).toEqual(expected);
    }
  });

  it("one byte per request, across several block boundaries", async () => {
    const data = pseudoRandom(300, 5);
    const cuts = Array.from({ length: 299 }, (_, i) => i + 1);
    const { md5, sha512 } = hashResumed(data, cuts);
    expect(md5).toBe(await subtleHex("MD5", data));
    expect(sha512).toBe(await subtleHex("SHA-512", data));
  });

  it("upload-like parts (not multiples of the block size) with empty pieces in between", async () => {
    const data = pseudoRandom(5 * 65536 + 1000, 11);
    const cuts = [65536 + 17, 65536 + 17, 2 * 65536 + 100, 3 * 65536, 3 * 65536, 5 * 65536 - 1];
    const { md5, sha512 } = hashResumed(data, cuts);
    expect(md5).toBe(await subtleHex("MD5", data));
    expect(sha512).toBe(await subtleHex("SHA-512", data));
  });

  it("digestHex does not finalise: hashing can continue after it", async () => {
    const data = pseudoRandom(1000, 3);
    const h = ResumableDigests.create().update(data.subarray(0, 500));
    expect(h.digestHex().md5).toBe(await subtleHex("MD5", data.subarray(0, 500)));
    h.update(data.subarray(500));
    expect(h.digestHex()).toEqual({ md5: await subtleHex("MD5", data), sha512: await subtleHex("SHA-512", data) });
  });

  it("state strings are small, stable and carry the byte count", () => {
    const { states } = hashResumed(pseudoRandom(10_000, 4), cutsFor(10_000, 30, 9));
    for (const s of states) expect(s.length).toBeLessThan(650);
    const h = ResumableDigests.create().update(text("abc"));
    expect(h.length).toBe(3);
    expect(ResumableDigests.restore(h.saveState()).saveState()).toBe(h.saveState());
    expect(new ResumableMd5().update(text("abc")).saveState()).toMatch(/^md5:1:3:[0-9a-f]{32}:616263:[0-9a-f]{8}$/);
    expect(new ResumableSha512().saveState()).toMatch(/^sha512:1:0:[0-9a-f]{128}::[0-9a-f]{8}$/);
  });
});

describe("corrupt or foreign state is an error, never a wrong digest", () => {
  const md5State = new ResumableMd5().update(pseudoRandom(200, 1)).saveState();
  const shaState = new ResumableSha512().update(pseudoRandom(200, 1)).saveState();
  const bothState = ResumableDigests.create().update(pseudoRandom(200, 1)).saveState();

  /** Changes one hex digit inside the state words (field 4). */
  const flipWordDigit = (s: string) => {
    const parts = s.split(":");
    const w = parts[3]!;
    parts[3] = (w[0] === "0" ? "1" : "0") + w.slice(1);
    return parts.join(":");
  };

  const cases: { name: string; run: () => unknown; message: RegExp }[] = [
    { name: "one flipped digit (MD5)", run: () => ResumableMd5.restore(flipWordDigit(md5State)), message: /corrupt/ },
    {
      name: "one flipped digit (SHA-512)",
      run: () => ResumableSha512.restore(flipWordDigit(shaState)),
      message: /corrupt/,
    },
    { name: "changed length", run: () => ResumableMd5.restore(md5State.replace(":200:", ":201:")), message: /corrupt/ },
    { name: "truncated", run: () => ResumableSha512.restore(shaState.slice(0, -3)), message: /corrupt/ },
    { name: "empty string", run: () => ResumableMd5.restore(""), message: /not a md5 hash state/ },
    { name: "garbage", run: () => ResumableSha512.restore("hello world"), message: /not a sha512 hash state/ },
    {
      name: "MD5 state given to SHA-512",
      run: () => ResumableSha512.restore(md5State),
      message: /for 'md5', not 'sha512'/,
    },
    {
      name: "SHA-512 state given to MD5",
      run: () => ResumableMd5.restore(shaState),
      message: /for 'sha512', not 'md5'/,
    },
    {
      name: "future version",
      run: () => ResumableMd5.restore(md5State.replace("md5:1:", "md5:2:")),
      message: /unsupported md5 state version '2'/,
    },
    {
      name: "digests: a single hash state",
      run: () => ResumableDigests.restore(md5State),
      message: /not a ResumableDigests state/,
    },
    {
      name: "digests: halves swapped",
      run: () => ResumableDigests.restore(["digests1", ...bothState.split("|").slice(1).reverse()].join("|")),
      message: /for 'sha512', not 'md5'/,
    },
    {
      name: "digests: halves from different uploads",
      run: () => {
        const other = ResumableDigests.create().update(pseudoRandom(201, 1)).saveState().split("|");
        return ResumableDigests.restore([other[0], bothState.split("|")[1], other[2]].join("|"));
      },
      message: /lengths differ/,
    },
    {
      name: "non-string (e.g. a NULL column)",
      run: () => ResumableDigests.restore(null as unknown as string),
      message: /must be a string/,
    },
  ];

  it.each(cases)("$name", ({ run, message }) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HashStateError);
    expect((error as Error).message).toMatch(message);
  });

  it("lengths beyond 2^53 bytes are refused rather than wrapped", () => {
    // 8 PiB cannot be fed in a test, so the byte counter is set directly to just below the limit.
    const h = new ResumableMd5();
    (h as unknown as { total: number }).total = Number.MAX_SAFE_INTEGER;
    expect(() => h.update(new Uint8Array(1))).toThrow(RangeError);
  });
});
