// `npm run bench:data`: image data throughput, memory and CPU under local `wrangler dev`, each next to its local
// R2 ceiling; prints one JSON object (a readable table goes to stderr). Options: see usage() below.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const usage = `usage: npm run bench:data -- [--sizes 256MiB,1GiB] [--repeat 3] [--downloads 3]
  [--modes content_length,chunked] [--no-inspect-compare] [--var K:V ...] [--port 8802] [--inspector-port 9230]
  --sizes       image sizes (KiB/MiB/GiB suffixes)             --repeat   uploads per size and mode (medians)
  --downloads   downloads per stored image (medians)           --modes    upload modes to run
  --var K:V     passed to wrangler dev (e.g. UPLOAD_SINGLE_PUT_MAX:5363466240)
  --no-inspect-compare  skip the uploads with the format inspector off (X-Bench-Inspect: off)
  PORT / INSPECTOR_PORT in the environment work too.`;

const { values: opt } = parseArgs({
  options: {
    sizes: { type: "string", default: "256MiB,1GiB" },
    repeat: { type: "string", default: "1" },
    downloads: { type: "string", default: "" },
    modes: { type: "string", default: "content_length,chunked" },
    var: { type: "string", multiple: true, default: [] },
    port: { type: "string", default: process.env.PORT ?? "8802" },
    "inspector-port": { type: "string", default: process.env.INSPECTOR_PORT ?? "9230" },
    "no-inspect-compare": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (opt.help) {
  console.error(usage);
  process.exit(0);
}

const UNITS = { B: 1, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };
const parseSize = (s) => {
  const m = /^(\d+)\s*(B|KiB|MiB|GiB)?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Number(m[1]) * UNITS[(m[2] ?? "B").toUpperCase()];
};
const sizes = opt.sizes.split(",").map((s) => ({ label: s.trim(), bytes: parseSize(s) }));
const repeat = Math.max(1, Number(opt.repeat));
const downloads = Math.max(1, Number(opt.downloads || opt.repeat));
const modes = opt.modes.split(",").map((m) => m.trim());
const port = Number(opt.port);
const base = `http://127.0.0.1:${port}`;
const token = "demo-token";
const GIB = 1024 ** 3;
const TICK = Number(spawnSync("getconf", ["CLK_TCK"]).stdout.toString().trim() || 100);

const tmp = mkdtempSync(join(tmpdir(), "bench-data-"));
let dev = null;
const cleanup = () => {
  // setsid made wrangler the leader of its own process group: stop the group, not just the npx wrapper.
  if (dev?.pid) {
    try {
      process.kill(-dev.pid, "SIGTERM");
    } catch {}
  }
  rmSync(tmp, { recursive: true, force: true });
};
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
const loadavg = () => Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the server under test -------------------------------------------------------------------------------
// wrangler dev reloads (cutting transfers short) when a watched file changes; others edit this tree while we
// measure, so the server runs from a snapshot of it.
const app = join(tmp, "app");
mkdirSync(app);
for (const f of [
  "src",
  "console",
  "migrations",
  "scripts",
  "wrangler.toml",
  "package.json",
  "tsconfig.json",
  "dev-tokens.json",
])
  cpSync(f, join(app, f), { recursive: true });
symlinkSync(join(process.cwd(), "node_modules"), join(app, "node_modules"));
const vars = ["BENCH_ROUTES:1", ...opt.var];
const devArgs = ["scripts/dev.sh", "--inspector-port", opt["inspector-port"], ...vars.flatMap((v) => ["--var", v])];
const devLog = openSync(join(tmp, "dev.log"), "w");
dev = spawn("bash", devArgs, {
  cwd: app,
  env: { ...process.env, PORT: String(port), PERSIST_DIR: join(tmp, "state") },
  stdio: ["ignore", devLog, devLog],
  detached: true, // its own process group (and session), stopped as one
});

async function waitUp() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/versions`)).ok) return;
    } catch {}
    await sleep(500);
  }
  console.error(readFileSync(join(tmp, "dev.log"), "utf8"));
  throw new Error("wrangler dev did not come up");
}

/** Every process of wrangler dev's group: pid, command, cmdline. */
function tree() {
  const out = spawnSync("ps", ["-o", "pid=,comm=", "-g", String(dev.pid)]).stdout.toString();
  return out
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [pid, comm] = l.trim().split(/\s+/);
      let cmd = "";
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {}
      return { pid: Number(pid), comm, cmd };
    });
}
/** The workerd running the user Worker (and the local R2/D1 simulators): not the proxy bound to our port. */
function userWorkerd() {
  const w = tree().filter((p) => p.comm === "workerd" && !p.cmd.includes(`entry=127.0.0.1:${port} `));
  if (w.length !== 1) throw new Error(`expected one user workerd, found ${w.length}`);
  return w[0].pid;
}
/** CPU seconds (user + system) used so far by the whole server tree. */
function treeCpu() {
  let ticks = 0;
  for (const p of tree()) {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15)
    } catch {}
  }
  return ticks / TICK;
}
const rssMb = (pid, field) => {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 1024) : null;
};

/** Runs one transfer with curl; returns MB/s (10^6 B/s), the tree's CPU s/GiB and the user workerd's peak RSS. */
function measure(bytes, curlArgs, okCode) {
  const pid = userWorkerd();
  writeFileSync(`/proc/${pid}/clear_refs`, "5"); // resets VmHWM to the current RSS
  const cpu0 = treeCpu();
  const t0 = process.hrtime.bigint();
  const r = spawnSync("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", ...curlArgs], { maxBuffer: 1 << 20 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = treeCpu() - cpu0;
  const code = r.stdout.toString();
  if (code !== String(okCode)) return { error: `HTTP ${code}` };
  return {
    mbps: bytes / 1e6 / secs,
    cpu_s_per_gib: (cpu * GIB) / bytes,
    peak_rss_mb: rssMb(pid, "VmHWM"),
  };
}

/** fetch, once more on a connection the dev proxy closed while it sat idle in the keep-alive pool. */
async function request(url, init) {
  try {
    return await fetch(url, init);
  } catch {
    await sleep(200);
    return fetch(url, init);
  }
}

async function api(method, path, body, headers = {}) {
  const res = await request(`${base}${path}`, {
    method,
    headers: { "X-Auth-Token": token, ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null,
    text,
  };
}
const newImage = async () =>
  (await api("POST", "/v2/images", { name: "bench", disk_format: "raw", container_format: "bare" })).json.id;

/** Range requests against the stored image compared with the file's bytes (a part boundary, suffix, open end). */
async function rangeCheck(id, file, bytes, partSize) {
  const fd = openSync(file, "r");
  const expect = (start, end) => {
    const b = Buffer.alloc(end - start + 1);
    readSync(fd, b, 0, b.length, start);
    return b;
  };
  const edge = Math.min(partSize, bytes - 1);
  const cases = [
    [`bytes=0-0`, 0, 0],
    [`bytes=${edge - 1000}-${Math.min(edge + 1000, bytes - 1)}`, edge - 1000, Math.min(edge + 1000, bytes - 1)],
    [`bytes=-4096`, bytes - 4096, bytes - 1],
    [`bytes=${bytes - 100}-`, bytes - 100, bytes - 1],
    [
      `bytes=${Math.floor(bytes / 3)}-${Math.floor(bytes / 3) + 3 * 1024 * 1024}`,
      Math.floor(bytes / 3),
      Math.floor(bytes / 3) + 3 * 1024 * 1024,
    ],
  ];
  for (const [h, s, e] of cases) {
    const res = await request(`${base}/v2/images/${id}/file`, { headers: { "X-Auth-Token": token, Range: h } });
    const got = Buffer.from(await res.arrayBuffer());
    if (
      res.status !== 206 ||
      res.headers.get("content-range") !== `bytes ${s}-${e}/${bytes}` ||
      !got.equals(expect(s, e))
    )
      return false;
  }
  return true;
}

async function hashFile(file) {
  const md5 = createHash("md5");
  const sha = createHash("sha512");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    md5.update(chunk);
    sha.update(chunk);
  }
  return { md5: md5.digest("hex"), sha512: sha.digest("hex") };
}
const toolMbps = (tool, file, bytes) => {
  const t0 = process.hrtime.bigint();
  spawnSync(tool, [file]);
  return round(bytes / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9));
};

/** Medians of a list of measure() results; `ceiling` (MB/s) adds the percentage of it. */
function summarize(runs, ceiling) {
  const ok = runs.filter((r) => !r.error);
  const out = {
    mbps: round(median(ok.map((r) => r.mbps))),
    cpu_s_per_gib: round(median(ok.map((r) => r.cpu_s_per_gib)), 2),
    peak_rss_mb: median(ok.map((r) => r.peak_rss_mb)),
    runs_mbps: runs.map((r) => (r.error ? r.error : round(r.mbps))),
  };
  if (ceiling) out.pct_of_ceiling = out.mbps === null ? null : round((100 * out.mbps) / ceiling);
  if (runs.some((r) => "hashes_ok" in r)) out.hashes_ok = runs.every((r) => r.hashes_ok === true);
  return out;
}

// --- the run ----------------------------------------------------------------------------------------------
const varMap = Object.fromEntries(vars.map((v) => [v.slice(0, v.indexOf(":")), v.slice(v.indexOf(":") + 1)]));
const toml = readFileSync("wrangler.toml", "utf8");
const tomlVar = (k) => new RegExp(`^${k}\\s*=\\s*"(\\d+)"`, "m").exec(toml)?.[1];
const singlePutMax = Number(varMap.UPLOAD_SINGLE_PUT_MAX ?? tomlVar("UPLOAD_SINGLE_PUT_MAX"));
const partSize = Number(varMap.UPLOAD_PART_SIZE ?? tomlVar("UPLOAD_PART_SIZE"));

const doc = {
  date: new Date().toISOString(),
  machine: `${cpus().length}× ${cpus()[0]?.model ?? "?"}`,
  load_avg_1m_start: loadavg(),
  vars: varMap,
  repeat,
  downloads,
  results: {},
};
await waitUp();
doc.rss_idle_mb = rssMb(userWorkerd(), "VmRSS");

for (const { label, bytes } of sizes) {
  const file = join(tmp, `${label}.bin`);
  spawnSync("bash", ["-c", `head -c ${bytes} /dev/urandom > '${file}'`]);
  spawnSync("cat", [file], { stdio: "ignore", maxBuffer: 0 }); // into the page cache, so disk reads do not count
  const { md5, sha512 } = await hashFile(file);
  const r = { bytes, md5sum_mbps: toolMbps("md5sum", file, bytes), sha512sum_mbps: toolMbps("sha512sum", file, bytes) };
  const octet = ["-H", "Content-Type: application/octet-stream"];

  // Plain R2 put of the same bytes, no app code: the upload ceiling, measured between the uploads it bounds.
  const putRuns = [];
  const ups = Object.fromEntries(
    modes.flatMap((m) => [
      [m, []],
      [`${m}_no_inspect`, []],
    ]),
  );
  const downs = {};
  for (let i = 0; i < repeat; i++) {
    putRuns.push(measure(bytes, ["-T", file, ...octet, `${base}/_bench/r2-put`], 200));
    for (const mode of modes) {
      for (const inspect of opt["no-inspect-compare"] ? [true] : [true, false]) {
        const id = await newImage();
        const extra = [];
        if (mode === "chunked") extra.push("-H", "Transfer-Encoding: chunked");
        if (!inspect) extra.push("-H", "X-Bench-Inspect: off");
        const auth = ["-H", `X-Auth-Token: ${token}`];
        const run = measure(
          bytes,
          ["-T", file, "-X", "PUT", `${base}/v2/images/${id}/file`, ...auth, ...octet, ...extra],
          204,
        );
        const img = (await api("GET", `/v2/images/${id}`)).json;
        run.hashes_ok = img.checksum === md5 && img.os_hash_value === sha512 && img.size === bytes;
        ups[inspect ? mode : `${mode}_no_inspect`].push(run);
        // Downloads (and their plain R2 get ceiling) of what the inspected upload stored, on the first repeat.
        if (inspect && i === 0 && !run.error) {
          const d = { get: [], down: [] };
          downs[mode] = d;
          for (let j = 0; j < downloads; j++) {
            d.get.push(measure(bytes, [`${base}/_bench/r2-get/${id}`], 200));
            d.down.push(measure(bytes, [`${base}/v2/images/${id}/file`, ...auth], 200));
          }
          d.range_ok = await rangeCheck(id, file, bytes, partSize);
        }
        await api("DELETE", `/v2/images/${id}`);
      }
    }
  }
  r.r2_put = summarize(putRuns);
  const ceiling = r.r2_put.mbps;
  for (const [name, runs] of Object.entries(ups)) if (runs.length) r[`upload_${name}`] = summarize(runs, ceiling);
  for (const [mode, d] of Object.entries(downs)) {
    const stored = mode === "chunked" || bytes > singlePutMax ? "multipart" : "single put";
    r[`r2_get_${mode}`] = { ...summarize(d.get), object: stored };
    r[`download_${mode}`] = { ...summarize(d.down, r[`r2_get_${mode}`].mbps), object: stored, range_ok: d.range_ok };
  }
  for (const m of modes)
    if (r[`upload_${m}`] && r[`upload_${m}_no_inspect`]?.mbps)
      r[`upload_${m}`].inspect_cost_pct = round(100 * (1 - r[`upload_${m}`].mbps / r[`upload_${m}_no_inspect`].mbps));
  doc.results[label] = r;
  rmSync(file);
}
doc.load_avg_1m_end = loadavg();
doc.dev_server_reloads = (readFileSync(join(tmp, "dev.log"), "utf8").match(/Reloading local server/g) ?? []).length;

// The readable table: each figure with its ceiling and the share of it.
const rows = [["size", "path", "MB/s", "ceiling", "%", "CPU s/GiB", "peak RSS MB", "ok"]];
for (const [label, r] of Object.entries(doc.results)) {
  rows.push([label, "md5sum / sha512sum", `${r.md5sum_mbps} / ${r.sha512sum_mbps}`, "", "", "", "", ""]);
  for (const [k, v] of Object.entries(r)) {
    if (typeof v !== "object") continue;
    const ceil = k.startsWith("upload")
      ? r.r2_put.mbps
      : k.startsWith("download")
        ? r[k.replace("download", "r2_get")].mbps
        : "";
    const ok =
      v.hashes_ok === false || v.range_ok === false ? "FAIL" : v.range_ok ? "range ok" : v.hashes_ok ? "hashes ok" : "";
    const path = `${k}${v.object ? ` (${v.object})` : ""}${v.inspect_cost_pct !== undefined ? ` [inspect ${v.inspect_cost_pct}%]` : ""}`;
    rows.push([label, path, v.mbps, ceil, v.pct_of_ceiling ?? "", v.cpu_s_per_gib, v.peak_rss_mb, ok]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i] ?? "").length)));
for (const row of rows) console.error(row.map((c, i) => String(c ?? "").padEnd(widths[i])).join("  "));
console.error(`load ${doc.load_avg_1m_start} -> ${doc.load_avg_1m_end}, ${doc.machine}`);
console.log(JSON.stringify(doc));
process.exit(0);
