// Reads the text states of the pure-JS hasher (resumable-hash.ts: "digests1|md5:1:…|sha512:1:…"), so chunked
// uploads in flight when the WebAssembly hasher replaced it carry on; nothing new is written in this format.
import { crc32Hex, HashStateError } from "./hash-state";
import { fromHex } from "./hex";

/** A hash state in the terms of md5-sha512.c: what both hashes absorbed, and the bytes not absorbed yet. */
export interface RawDigestState {
  /** Bytes hashed so far. */
  length: number;
  /** MD5 chaining words a, b, c, d after floor(length / 64) blocks. */
  md5: Uint32Array;
  /** SHA-512 chaining words H0..H7 after floor(length / 128) blocks, as (high, low) 32-bit halves. */
  sha512: Uint32Array;
  /** The last length % 128 bytes (MD5's unabsorbed tail is the end of them). */
  pending: Uint8Array;
}

const PREFIX = "digests1|";

export function isLegacyDigestState(state: string): boolean {
  return state.startsWith(PREFIX);
}

/** Parses and checks a legacy state; throws HashStateError for anything resumable-hash.ts would refuse. */
export function parseLegacyDigestState(state: string): RawDigestState {
  const halves = state.split("|");
  if (halves.length !== 3 || `${halves[0]}|` !== PREFIX) throw new HashStateError("not a ResumableDigests state");
  const md5 = half(halves[1]!, "md5", 64, 4);
  const sha = half(halves[2]!, "sha512", 128, 16);
  if (md5.length !== sha.length) throw new HashStateError("digests state is inconsistent (lengths differ)");
  // Both halves keep their own unabsorbed bytes; MD5's must be the end of SHA-512's.
  const tail = sha.pending.subarray(sha.pending.length - md5.pending.length);
  if (tail.some((b, i) => b !== md5.pending[i])) {
    throw new HashStateError("digests state is inconsistent (pending bytes differ)");
  }
  return { length: sha.length, md5: md5.words, sha512: sha.words, pending: sha.pending };
}

/** One `<alg>:1:<length>:<words hex>:<pending hex>:<crc32>` half. */
function half(text: string, id: string, blockSize: number, wordCount: number) {
  const parts = text.split(":");
  if (parts.length !== 6) throw new HashStateError(`not a ${id} hash state (expected 6 ':'-separated fields)`);
  const [algId, version, lengthText, words, pendingHex, crc] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (algId !== id) throw new HashStateError(`hash state is for '${algId.slice(0, 20)}', not '${id}'`);
  if (version !== "1") throw new HashStateError(`unsupported ${id} state version '${version.slice(0, 20)}'`);
  if (crc !== crc32Hex(text.slice(0, text.length - crc.length - 1))) {
    throw new HashStateError(`${id} state is corrupt (checksum mismatch)`);
  }
  if (!/^(0|[1-9][0-9]{0,15})$/.test(lengthText) || !Number.isSafeInteger(Number(lengthText))) {
    throw new HashStateError(`${id} state has an invalid length '${lengthText.slice(0, 20)}'`);
  }
  const length = Number(lengthText);
  if (words.length !== wordCount * 8 || !/^[0-9a-f]*$/.test(words)) {
    throw new HashStateError(`${id} state has malformed state words`);
  }
  if (pendingHex.length !== (length % blockSize) * 2 || !/^[0-9a-f]*$/.test(pendingHex)) {
    throw new HashStateError(`${id} state's pending bytes do not match its length`);
  }
  const out = new Uint32Array(wordCount);
  for (let i = 0; i < wordCount; i++) out[i] = Number.parseInt(words.slice(i * 8, i * 8 + 8), 16);
  return { length, words: out, pending: fromHex(pendingHex) };
}
