// `.wasm` imports: wrangler, the vitest pool and bench/hash.mjs all turn them into a compiled module (Workers
// cannot compile WebAssembly from bytes at run time, but may instantiate a module that was bundled).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
