// Builds src/lib/wasm/md5-sha512.wasm from md5-sha512.c (`npm run build:wasm`, needs Debian's clang + lld) and,
// with --check (part of `npm test`, no compiler needed), proves the committed binary is the one this source and
// these flags make: the manifest beside it records the hashes of both, and when the same clang is installed
// the module is rebuilt and compared byte for byte. The binary is committed so CI and deploys need no clang.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = path.join(import.meta.dirname, "../src/lib/wasm");
const source = path.join(dir, "md5-sha512.c");
const target = path.join(dir, "md5-sha512.wasm");
const manifestPath = path.join(dir, "md5-sha512.build.json");

// Freestanding wasm32: no libc, no imports. bulk-memory lets the compiler's memcpy/memset become
// memory.copy/fill instead of calls to a libc that is not there; simd128 is used for the SHA-512 byte swap.
// Compiling and linking in two steps keeps clang's driver from running binaryen's wasm-opt when it happens
// to be installed, which would make the output depend on the machine.
const CFLAGS = [
  "--target=wasm32",
  "-O3",
  "-ffreestanding",
  "-nostdlib",
  "-mbulk-memory",
  "-msimd128",
  "-Wall",
  "-Wextra",
  "-Werror",
];
const LDFLAGS = ["--no-entry", "--export-dynamic", "--strip-all", "-z", "stack-size=16384"];

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const version = (tool) => {
  try {
    return execFileSync(tool, ["--version"], { encoding: "utf8" }).split("\n")[0].trim();
  } catch {
    return null;
  }
};

function compile(out) {
  const tmp = mkdtempSync(path.join(tmpdir(), "wasm-"));
  try {
    const obj = path.join(tmp, "md5-sha512.o");
    execFileSync("clang", [...CFLAGS, "-c", "-o", obj, source], { stdio: "inherit" });
    execFileSync("wasm-ld", [...LDFLAGS, "-o", out, obj], { stdio: "inherit" });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function build() {
  const clang = version("clang");
  const lld = version("wasm-ld");
  if (!clang || !lld) throw new Error("clang and wasm-ld are needed to build: apt-get install -y clang lld");
  compile(target);
  const manifest = {
    source: "md5-sha512.c",
    source_sha256: sha256(readFileSync(source)),
    wasm_sha256: sha256(readFileSync(target)),
    clang,
    lld,
    cflags: CFLAGS,
    ldflags: LDFLAGS,
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), target)} (${readFileSync(target).length} bytes)`);
}

function check() {
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  const problems = [];
  if (sha256(readFileSync(source)) !== manifest.source_sha256) problems.push("md5-sha512.c changed since the build");
  if (sha256(readFileSync(target)) !== manifest.wasm_sha256) problems.push("md5-sha512.wasm is not the built one");
  if (JSON.stringify([manifest.cflags, manifest.ldflags]) !== JSON.stringify([CFLAGS, LDFLAGS])) {
    problems.push("the flags in scripts/wasm.mjs changed since the build");
  }
  let rebuilt = "skipped (no clang/wasm-ld of the recorded versions here)";
  if (problems.length === 0 && version("clang") === manifest.clang && version("wasm-ld") === manifest.lld) {
    const tmp = mkdtempSync(path.join(tmpdir(), "wasm-check-"));
    try {
      const out = path.join(tmp, "md5-sha512.wasm");
      compile(out);
      if (sha256(readFileSync(out)) !== manifest.wasm_sha256) problems.push("a rebuild gives different bytes");
      else rebuilt = "rebuilt byte-identical";
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (problems.length > 0) {
    console.error(`src/lib/wasm: ${problems.join("; ")}. Run: npm run build:wasm (needs clang + lld).`);
    process.exit(1);
  }
  console.log(`src/lib/wasm/md5-sha512.wasm matches its source and flags; ${rebuilt}`);
}

if (process.argv.includes("--check")) check();
else build();
