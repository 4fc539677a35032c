// WebAssembly MD5 + SHA-512 (src/lib/resumable-digests.ts): vectors, agreement with workerd's native digests,
// byte-exact resumption through saved state, states of the pure-JS hasher, refused states, large inputs.
import { describe, expect, it } from "vitest";
import { crc32 } from "../../src/lib/hash-state";
import { toHex } from "../../src/lib/hex";
import { HashStateError, MAX_DIGEST_STATE_BYTES, ResumableDigests } from "../../src/lib/resumable-digests";
import { ResumableDigests as JsDigests, ResumableMd5 } from "../reference/resumable-hash";

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

async function native(data: Uint8Array): Promise<{ md5: string; sha512: string }> {
  const [md5, sha512] = await Promise.all([crypto.subtle.digest("MD5", data), crypto.subtle.digest("SHA-512", data)]);
  return { md5: toHex(new Uint8Array(md5)), sha512: toHex(new Uint8Array(sha512)) };
}

/** Hashes `data` cut at `cuts`, through a saved state (text or bytes) and a fresh hasher around every piece. */
function hashResumed(data: Uint8Array, cuts: number[], form: "text" | "bytes" = "text") {
  const save = (h: ResumableDigests) => (form === "text" ? h.saveState() : h.saveStateBytes());
  let state: string | Uint8Array = save(ResumableDigests.create());
  let from = 0;
  for (const to of [...cuts, data.length]) {
    state = save(ResumableDigests.restore(state).update(data.subarray(from, to)));
    from = to;
  }
  const h = ResumableDigests.restore(state);
  expect(h.length).toBe(data.length);
  return h.digestHex();
}

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected an error");
}

describe("known vectors", () => {
  const vectors = [
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
      // Glance's own golden image: bytes(range(256)) * 4 (shared/glance/golden).
      name: "bytes(range(256))*4",
      data: new Uint8Array(1024).map((_, i) => i & 0xff),
      md5: "b2ea9f7fcea831a4a63b213f41a8855b",
      sha512:
        "37f652be867f28ed033269cbba201af2112c2b3fd334a89fd2f757938ddee815787cc61d6e24a8a33340d0f7e86ffc058816b88530766ba6e231620a130b566c",
    },
    {
      name: "one million 'a'",
      data: new Uint8Array(1_000_000).fill(0x61),
      md5: "7707d6ae4e027c70eea2a935c2296f21",
      sha512:
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b",
    },
  ];

  it.each(vectors)("$name", ({ data, md5, sha512 }) => {
    expect(ResumableDigests.create().update(data).digestHex()).toEqual({ md5, sha512 });
  });

  it("one million 'a' fed one 'a' at a time for the first 1000, then in 4999-byte pieces", () => {
    const h = ResumableDigests.create();
    const a = text("a");
    for (let i = 0; i < 1000; i++) h.update(a);
    const piece = new Uint8Array(4999).fill(0x61);
    for (let n = 1000; n < 1_000_000; n += piece.length) h.update(piece.subarray(0, Math.min(4999, 1_000_000 - n)));
    expect(h.digestHex().md5).toBe("7707d6ae4e027c70eea2a935c2296f21");
  });

  it("RFC 1321 A.5 (MD5) and the FIPS 180-4 two-block message (SHA-512)", () => {
    const md5Suite: [string, string][] = [
      ["a", "0cc175b9c0f1b6a831c399e269772661"],
      ["message digest", "f96b697d7cb7938d525a2f31aaf161d0"],
      ["abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"],
      ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"],
      ["1234567890".repeat(8), "57edf4a22be3c955ac49da2e2107b67a"],
    ];
    for (const [input, md5] of md5Suite)
      expect(ResumableDigests.create().update(text(input)).digestHex().md5).toBe(md5);
    const msg =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    expect(ResumableDigests.create().update(text(msg)).digestHex().sha512).toBe(
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    );
  });
});

describe("agrees with workerd's native digests", () => {
  it("every size from 0 to 400 bytes (both padding boundaries, one and two final blocks)", async () => {
    for (let size = 0; size <= 400; size++) {
      const data = pseudoRandom(size, size + 1);
      expect(ResumableDigests.create().update(data).digestHex(), `size ${size}`).toEqual(await native(data));
    }
  });

  // Around the module's 64 KiB input buffer, which update() fills piece by piece.
  const SIZES = [65535, 65536, 65537, 131071, 131072, 131073, 1024 * 1024 + 7, 3 * 1024 * 1024 - 1];
  it.each(SIZES)("%i bytes in one update", async (size) => {
    const data = pseudoRandom(size, size);
    expect(ResumableDigests.create().update(data).digestHex()).toEqual(await native(data));
  });

  it("input views at odd byte offsets", async () => {
    const backing = pseudoRandom(70_000 + 3, 99);
    const data = backing.subarray(3);
    const h = ResumableDigests.create().update(data.subarray(0, 1)).update(data.subarray(1, 2001));
    h.update(data.subarray(2001));
    expect(h.digestHex()).toEqual(await native(data));
  });

  it("digestHex does not finalise: hashing can continue after it", async () => {
    const data = pseudoRandom(1000, 3);
    const h = ResumableDigests.create().update(data.subarray(0, 500));
    expect(h.digestHex()).toEqual(await native(data.subarray(0, 500)));
    expect(h.digestHex()).toEqual(await native(data.subarray(0, 500)));
    expect(h.update(data.subarray(500)).digestHex()).toEqual(await native(data));
  });

  it("digest() gives the raw bytes of the same digests", () => {
    const h = ResumableDigests.create().update(text("abc"));
    const { md5, sha512 } = h.digest();
    expect({ md5: toHex(md5), sha512: toHex(sha512) }).toEqual(h.digestHex());
    expect([md5.length, sha512.length]).toEqual([16, 64]);
  });
});

describe("resumption through saved state is byte-exact", () => {
  const data = pseudoRandom(700, 42);

  it("a state saved after every byte count 0..700 continues to the right digests (text and bytes)", async () => {
    const expected = await native(data);
    for (let cut = 0; cut <= data.length; cut++) {
      expect(hashResumed(data, [cut]), `cut ${cut}`).toEqual(expected);
      expect(hashResumed(data, [cut], "bytes"), `cut ${cut}`).toEqual(expected);
    }
  });

  it("the state after n bytes is the same however those bytes were split and resumed", () => {
    // One byte per "request", each through a fresh instance, against one straight run per byte count.
    let state = ResumableDigests.create().saveState();
    for (let n = 0; n <= 300; n++) {
      if (n > 0)
        state = ResumableDigests.restore(state)
          .update(data.subarray(n - 1, n))
          .saveState();
      expect(state, `n ${n}`).toBe(ResumableDigests.create().update(data.subarray(0, n)).saveState());
    }
  });

  it("at every block boundary and odd offsets of an upload-like stream, with empty pieces", async () => {
    const big = pseudoRandom(5 * 65536 + 1000, 11);
    const cuts = [63, 64, 64, 65, 127, 128, 129, 65536 + 17, 65536 + 17, 2 * 65536 + 100, 3 * 65536, 5 * 65536 - 1];
    expect(hashResumed(big, cuts)).toEqual(await native(big));
    expect(hashResumed(big, cuts, "bytes")).toEqual(await native(big));
  });

  it("bytes come back from a BLOB column as an ArrayBuffer", async () => {
    const bytes = ResumableDigests.create().update(data.subarray(0, 333)).saveStateBytes();
    const blob = new ArrayBuffer(bytes.length);
    new Uint8Array(blob).set(bytes);
    expect(ResumableDigests.restore(blob).update(data.subarray(333)).digestHex()).toEqual(await native(data));
  });

  it("state sizes: 96 + (length % 128) bytes, at most 300 characters of text", () => {
    for (const n of [0, 1, 63, 64, 127, 128, 129, 1000, 1023]) {
      const h = ResumableDigests.create().update(data.subarray(0, Math.min(n, data.length)));
      const bytes = h.saveStateBytes();
      expect(bytes.length).toBe(96 + (h.length % 128));
      expect(bytes.length).toBeLessThanOrEqual(MAX_DIGEST_STATE_BYTES);
      expect(h.saveState().length).toBeLessThanOrEqual(300);
    }
    expect(MAX_DIGEST_STATE_BYTES).toBe(223);
  });

  // Written once by this module (in Node's V8, another engine and process than this test's) and kept: a state
  // saved by an earlier deployment or another isolate must restore to the same digests.
  it("states saved elsewhere restore and continue (format stability)", async () => {
    const golden: [number, string][] = [
      [0, GOLDEN_STATE_0],
      [200, GOLDEN_STATE_200],
    ];
    for (const [n, state] of golden) {
      expect(ResumableDigests.restore(state).length).toBe(n);
      expect(ResumableDigests.restore(state).update(data.subarray(n)).digestHex()).toEqual(await native(data));
      expect(ResumableDigests.create().update(data.subarray(0, n)).saveState()).toBe(state);
    }
  });
});

const GOLDEN_STATE_0 =
  "R1dEAQAAAAAAAAAAASNFZ4mrze/+3LqYdlQyEAjJvPNn5glqO6fKhIWuZ7sr+JT+cvNuPPE2HV869U+l0YLmrX9SDlEfbD4rjGgFm2u9Qfur2YMfeSF+ExnN4Ftr/44O";
const GOLDEN_STATE_200 =
  "R1dEAcgAAAAAAAAA0Pu5VXc6EjmIargPLDKTV/83ETrXTlMR//cOAcK/EYDRQghdOCLDivrdFEqWwwLbH9DPrZjlu6+roYqep+lJP3KLQbSKsA5otilECg3tI+niocA+TRQIsMMzCpALOO0uRdVG0z2uyXfYIReuDLZlX8m//WAD14nmZ5JLB6AxqWNh451gTNcRTyJ2F/ETLQ1EnWe6y1lILNEFCwVR";

describe("states of the pure-JS hasher (uploads in flight when the implementation was swapped)", () => {
  const data = pseudoRandom(1500, 8);

  it("restore and continue to the same digests, at every cut around the block boundaries", async () => {
    const expected = await native(data);
    const cuts = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 191, 192, 193, 255, 256, 257, 1000, 1500];
    for (const cut of cuts) {
      const legacy = JsDigests.create().update(data.subarray(0, cut)).saveState();
      const h = ResumableDigests.restore(legacy);
      expect(h.length).toBe(cut);
      // The same state as if this module had hashed those bytes itself.
      expect(h.saveState()).toBe(ResumableDigests.create().update(data.subarray(0, cut)).saveState());
      expect(h.update(data.subarray(cut)).digestHex(), `cut ${cut}`).toEqual(expected);
    }
  });

  it("a JS state kept from before the swap (1000 bytes) restores and continues", async () => {
    // Written by resumable-hash.ts; stays valid when that file is gone.
    const legacy =
      "digests1|md5:1:1000:f07928d320afce4c924da29a83b880d0:a1611f1748c6fcae48a79c14b635af6c1964fecea9d12f5bc4116863272df46c1541fc54a1d3db85:ae858fb0|sha512:1:1000:0fd5d9f259dccd7d232b76df2e0ffd974213ad2cf6b96ae65e1568c96fc6f71b72b8dcc842266d16d20e03b023d9179bff5eae92526323b70fef37d1c02327ea:9c5cb16339cc835364bf9d41ebc3047bf1c8e9d7f8f2035f944f869e503c5db7232f2cd42ca78503cfcf781d32138ca40b7336099b370935ebd06528fd24b09ca1611f1748c6fcae48a79c14b635af6c1964fecea9d12f5bc4116863272df46c1541fc54a1d3db85:1915a998";
    const h = ResumableDigests.restore(legacy);
    expect(h.length).toBe(1000);
    expect(h.update(data.subarray(1000)).digestHex()).toEqual(await native(data));
  });

  it("lengths beyond 4 GiB (bit lengths beyond 32 bits) end exactly as in the JS hasher", () => {
    // 1 TiB cannot be fed in a test; both hashers are given the same state at 2^40 + 5 bytes instead (the
    // chaining words of 5 bytes, which is as good a state as any for comparing the final blocks).
    const js = JsDigests.create().update(data.subarray(0, 5));
    for (const part of [js.md5, js.sha512]) (part as unknown as { total: number }).total = 2 ** 40 + 5;
    const wasm = ResumableDigests.restore(js.saveState());
    expect(wasm.length).toBe(2 ** 40 + 5);
    expect(wasm.digestHex()).toEqual(js.digestHex());
    expect(wasm.update(data).digestHex()).toEqual(js.update(data).digestHex());
  });

  it("a corrupt or inconsistent JS state is refused", () => {
    const good = JsDigests.create().update(data.subarray(0, 200)).saveState();
    const [, md5Part, shaPart] = good.split("|") as [string, string, string];
    const other = JsDigests.create().update(pseudoRandom(200, 9)).saveState().split("|");
    const flip = (s: string, at: number) => s.slice(0, at) + (s[at] === "0" ? "1" : "0") + s.slice(at + 1);
    const bad: [string, RegExp][] = [
      [flip(good, good.indexOf(":", 20) + 3), /corrupt/],
      [good.slice(0, -2), /corrupt/],
      [`digests1|${shaPart}|${md5Part}`, /for 'sha512', not 'md5'/],
      [`digests1|${md5Part}|${other[2]}`, /pending bytes differ/],
      [`digests1|${md5Part}|${JsDigests.create().update(data.subarray(0, 201)).saveState().split("|")[2]}`, /differ/],
      [`digests1|${md5Part}`, /not a ResumableDigests state/],
      [good.replace("md5:1:", "md5:2:"), /unsupported md5 state version/],
    ];
    for (const [state, message] of bad) {
      const error = errorOf(() => ResumableDigests.restore(state));
      expect(error, state).toBeInstanceOf(HashStateError);
      expect(error.message).toMatch(message);
    }
  });
});

describe("corrupt or foreign state is an error, never a wrong digest", () => {
  const h = ResumableDigests.create().update(pseudoRandom(200, 1));
  const bytes = h.saveStateBytes();

  /** Rewrites the CRC so that only the field checks stand between a tampered state and a digest. */
  const resealed = (b: Uint8Array) => {
    const out = b.slice();
    new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
    return out;
  };

  it("any single flipped bit, anywhere in the state", () => {
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = bytes.slice();
        bad[i]! ^= 1 << bit;
        expect(() => ResumableDigests.restore(bad), `byte ${i} bit ${bit}`).toThrow(HashStateError);
      }
    }
  });

  it("truncated or extended, at every length", () => {
    for (let n = 0; n < bytes.length + 130; n++) {
      if (n === bytes.length) continue;
      const bad = new Uint8Array(n);
      bad.set(bytes.subarray(0, n));
      expect(() => ResumableDigests.restore(bad), `length ${n}`).toThrow(HashStateError);
    }
  });

  const cases: { name: string; state: () => unknown; message: RegExp }[] = [
    { name: "empty text", state: () => "", message: /not a ResumableDigests state/ },
    { name: "not base64", state: () => "hello world!", message: /not base64/ },
    { name: "base64 of something else", state: () => btoa("hello world, this is no state"), message: /not a Resum/ },
    {
      name: "a state of the JS MD5 hasher alone",
      state: () => new ResumableMd5().update(text("abc")).saveState(),
      message: /not base64/,
    },
    {
      name: "a future version",
      state: () => {
        const b = bytes.slice();
        b[3] = 2;
        return resealed(b);
      },
      message: /unsupported digests state version 2/,
    },
    {
      name: "a length that does not match the pending bytes (checksum intact)",
      state: () => {
        const b = bytes.slice();
        b[4]! += 1;
        return resealed(b);
      },
      message: /pending bytes do not match/,
    },
    {
      name: "a length beyond 2^53 (checksum intact)",
      state: () => {
        const b = bytes.slice();
        b[11] = 0x01;
        return resealed(b);
      },
      message: /invalid length/,
    },
    {
      name: "a changed character, text form",
      state: () => {
        const s = h.saveState();
        return `${s.slice(0, 20)}${s[20] === "A" ? "B" : "A"}${s.slice(21)}`;
      },
      message: /corrupt/,
    },
    { name: "null (e.g. a NULL column)", state: () => null, message: /must be a string or bytes/ },
    { name: "a number", state: () => 42, message: /must be a string or bytes/ },
  ];

  it.each(cases)("$name", ({ state, message }) => {
    const error = errorOf(() => ResumableDigests.restore(state() as string));
    expect(error).toBeInstanceOf(HashStateError);
    expect(error.message).toMatch(message);
  });

  it("lengths beyond 2^53 bytes are refused rather than wrapped", () => {
    // A state at 2^53 - 1 bytes (127 pending bytes), sealed with a valid checksum.
    const at = new Uint8Array(96 + 127);
    at.set(bytes.subarray(0, 92));
    new DataView(at.buffer).setBigUint64(4, BigInt(Number.MAX_SAFE_INTEGER), true);
    const h2 = ResumableDigests.restore(resealed(at));
    expect(h2.length).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => h2.update(new Uint8Array(1))).toThrow(RangeError);
    expect(h2.length).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("large inputs", () => {
  it("64 MiB + 13 bytes in uneven pieces, resumed through saved state around each, match DigestStream", async () => {
    const total = 64 * 1024 * 1024 + 13;
    const md5 = new crypto.DigestStream("MD5");
    const sha512 = new crypto.DigestStream("SHA-512");
    const md5Writer = md5.getWriter();
    const shaWriter = sha512.getWriter();
    let state = ResumableDigests.create().saveState();
    // Pieces of 1-5 MiB plus odd bytes (like request bodies), generated as they go: no 64 MiB buffer.
    for (let at = 0, n = 0; at < total; n++) {
      const size = Math.min(total - at, (1 + (n % 5)) * 1024 * 1024 + 2 * n + 1);
      const piece = pseudoRandom(size, n + 1);
      state = ResumableDigests.restore(state).update(piece).saveState();
      await Promise.all([md5Writer.write(piece), shaWriter.write(piece)]);
      at += size;
    }
    await Promise.all([md5Writer.close(), shaWriter.close()]);
    const h = ResumableDigests.restore(state);
    expect(h.length).toBe(total);
    expect(h.digestHex()).toEqual({
      md5: toHex(new Uint8Array(await md5.digest)),
      sha512: toHex(new Uint8Array(await sha512.digest)),
    });
  });
});
