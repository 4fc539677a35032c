// `npm run bench:hash` runs this Worker under `wrangler dev` to time the hashers inside workerd (bundled by
// wrangler, the .wasm as a compiled module, exactly as the service gets them). bench/hash.mjs measures from
// outside (wall time and workerd's CPU time): inside a Worker the clock only moves on I/O.
import { ResumableDigests } from "../../src/lib/resumable-digests.ts";
import wasmModule from "../../src/lib/wasm/md5-sha512.wasm";
import { ResumableDigests as JsDigests, ResumableMd5, ResumableSha512 } from "../../test/reference/resumable-hash.ts";

let data = new Uint8Array(0);

/** One hash alone with the module's measurement exports (the same copy into wasm memory as update()). */
function wasmAlone(name) {
  const e = new WebAssembly.Instance(wasmModule).exports;
  const memory = new Uint8Array(e.memory.buffer);
  const input = e.input_ptr();
  const size = e.input_size();
  return {
    update(block) {
      for (let pos = 0; pos < block.length; pos += size) {
        const piece = block.subarray(pos, pos + size);
        memory.set(piece, input);
        e[name](piece.length);
      }
    },
    digestHex: () => "",
  };
}

function native(alg) {
  const stream = new crypto.DigestStream(alg);
  const writer = stream.getWriter();
  return {
    write: (block) => writer.write(block),
    finish: async () => {
      await writer.close();
      return new Uint8Array(await stream.digest).length;
    },
  };
}

const HASHERS = {
  js_md5: () => new ResumableMd5(),
  js_sha512: () => new ResumableSha512(),
  js_both: () => JsDigests.create(),
  wasm_md5: () => wasmAlone("bench_md5"),
  wasm_sha512: () => wasmAlone("bench_sha512"),
  wasm_both: () => ResumableDigests.create(),
};

async function run(name, block) {
  if (name.startsWith("native_")) {
    const algs = { native_md5: ["MD5"], native_sha512: ["SHA-512"], native_both: ["MD5", "SHA-512"] }[name];
    const streams = algs.map(native);
    for (let i = 0; i < data.length; i += block) {
      const piece = data.subarray(i, i + block);
      await Promise.all(streams.map((s) => s.write(piece)));
    }
    return Promise.all(streams.map((s) => s.finish()));
  }
  const h = HASHERS[name]();
  for (let i = 0; i < data.length; i += block) h.update(data.subarray(i, i + block));
  return h.digestHex();
}

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const n = (key) => Number(url.searchParams.get(key));
    if (url.pathname === "/prepare") {
      data = new Uint8Array(n("bytes"));
      for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
      return Response.json({ bytes: data.length });
    }
    if (url.pathname === "/run") {
      const name = url.searchParams.get("hasher");
      if (!(name in HASHERS) && !name.startsWith("native_")) return new Response("unknown hasher", { status: 400 });
      return Response.json({ result: await run(name, n("block")) });
    }
    return new Response("ok");
  },
};
