// The image's data: live progress of a browser upload (percent, MB/s, ETA, pause/resume, verification), or the
// form that starts one, resumes one after a reload (GET /stage says where), or imports from a URL.
import { useEffect, useState } from "preact/hooks";
import { call } from "../api";
import { DropZone } from "../components/drop-zone";
import { Alert, CopyButton, Field, Progress, Spinner } from "../components/ui";
import { bytes, duration, rate } from "../format";
import { type Image, imagePath } from "../images";
import { MIB, parseStage, type StageState, stored } from "../upload/chunk-plan";
import { liveUpload, noteFor, onUploadsChange, startUpload } from "../upload/registry";
import type { Upload, UploadState } from "../upload/uploader";

export const CHUNK_CHOICES = [5, 8, 16, 32, 64];
export const DEFAULT_CHUNK_MIB = 16;

export function ChunkSizeField({ value, onChange }: { value: number; onChange(n: number): void }) {
  return (
    <Field label="Chunk size" hint="Each chunk is one request; smaller chunks resume with less repeated work.">
      <select value={String(value)} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {CHUNK_CHOICES.map((n) => (
          <option key={n} value={String(n)}>
            {n} MiB
          </option>
        ))}
      </select>
    </Field>
  );
}

function useUpload(up: Upload): UploadState {
  const [s, setS] = useState(up.state);
  useEffect(() => up.subscribe(setS), [up]);
  return s;
}

function LiveUpload({ up }: { up: Upload }) {
  const s = useUpload(up);
  const pct = s.total > 0 ? (100 * s.sent) / s.total : 0;
  const eta = s.rate > 0 ? (s.total - s.sent) / s.rate : Number.NaN;
  const v = s.verification;
  return (
    <div class="upload" data-phase={s.phase}>
      <p class="upload-file">
        <strong>{up.file.name}</strong> · {bytes(s.total)}
        {s.chunkSize && ` · ${bytes(s.chunkSize)} chunks${s.parallel > 1 ? `, ${s.parallel} in parallel` : ""}`}
      </p>
      {s.resumedWith !== null && s.resumedWith > 0 && (
        <p class="muted" data-testid="resumed-with">
          Resumed: {s.resumedWith} bytes ({bytes(s.resumedWith)}) were already on the server; only the rest is sent.
        </p>
      )}
      <Progress value={s.sent} max={s.total} label="Upload progress" />
      <p class="upload-stats" aria-live="polite">
        <span data-testid="upload-percent">{pct.toFixed(1)} %</span> · {bytes(s.sent)} of {bytes(s.total)}
        {s.phase === "uploading" && ` · ${rate(s.rate)} · ETA ${duration(eta)}`} ·{" "}
        <span data-testid="upload-phase">{s.phase}</span>
        {["importing", "verifying", "starting"].includes(s.phase) && <Spinner />}
      </p>
      <p class="muted small">Hashing in the browser: {s.total > 0 ? ((100 * s.hashed) / s.total).toFixed(0) : 0} %</p>
      {s.message && (
        <Alert kind={s.phase === "failed" ? "error" : s.phase === "done" ? "success" : "info"}>{s.message}</Alert>
      )}
      <div class="actions">
        {(s.phase === "uploading" || s.phase === "starting") && (
          <button type="button" class="btn" onClick={() => up.pause()}>
            Pause
          </button>
        )}
        {(s.phase === "paused" || (s.phase === "failed" && !v)) && (
          <button type="button" class="btn btn-primary" onClick={() => void up.start()}>
            Resume
          </button>
        )}
      </div>
      {v && (
        <div class="table-scroll">
          <table class="kv verification" aria-label="Verification">
            <tbody>
              <tr>
                <th scope="row">Size</th>
                <td>{s.total} bytes</td>
                <td data-testid="verify-size">{v.size ? "✔ equal" : "✘ differs"}</td>
              </tr>
              <tr>
                <th scope="row">MD5 of the file</th>
                <td class="mono wrap" data-testid="local-md5">
                  {v.local.md5} <CopyButton text={v.local.md5} label="local MD5" />
                </td>
                <td data-testid="verify-md5">{v.md5 ? "✔ equals checksum" : "✘ differs from checksum"}</td>
              </tr>
              <tr>
                <th scope="row">SHA-512 of the file</th>
                <td class="mono wrap" data-testid="local-sha512">
                  {v.local.sha512} <CopyButton text={v.local.sha512} label="local SHA-512" />
                </td>
                <td data-testid="verify-sha512">
                  {v.sha512 ? "✔ equals os_hash_value" : "✘ differs from os_hash_value"}
                </td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Starting or resuming: pick the file (again, after a reload); the server's stage says how much it has. */
function StartUpload({ image }: { image: Image }) {
  const [stage, setStage] = useState<StageState | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [chunkMiB, setChunkMiB] = useState(DEFAULT_CHUNK_MIB);
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | null>(null);
  const note = noteFor(image.id);

  useEffect(() => {
    call<unknown>("GET", `${imagePath(image.id)}/stage`, { allow: [404] })
      .then((a) => setStage(a.status === 404 ? null : parseStage(a.data)))
      .catch((e: Error) => setError(e.message));
  }, [image.id, image.status]);

  const begin = () => {
    if (!file) return setError("Choose the file to upload.");
    if (stage && stage.total !== file.size)
      return setError(
        `The server holds part of a ${stage.total}-byte upload; ${file.name} has ${file.size} bytes. Pick the same file.`,
      );
    setError(null);
    startUpload(image.id, image.name ?? image.id, file, chunkMiB * MIB);
  };
  const webDownload = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await call("POST", `${imagePath(image.id)}/import`, { json: { method: { name: "web-download", uri: url } } });
      setUrl("");
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <div class="start-upload">
      {stage && (
        <Alert kind="info">
          The server already holds {bytes(stored(stage))} of {bytes(stage.total)} (
          {((100 * stored(stage)) / stage.total).toFixed(1)} %).
          {note
            ? ` Pick ${note.fileName} (${bytes(note.size)}) again to resume.`
            : " Pick the same file again to resume."}
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
      <DropZone
        id="resume-file"
        label={stage ? "The same file, to resume" : "Image file"}
        file={file}
        onFile={setFile}
      />
      <div class="row">
        {!stage && <ChunkSizeField value={chunkMiB} onChange={setChunkMiB} />}
        <div class="actions">
          <button type="button" class="btn btn-primary" disabled={!file} onClick={begin}>
            {stage ? "Resume upload" : "Upload"}
          </button>
        </div>
      </div>
      {!stage && image.status === "queued" && (
        <form class="inline-form" onSubmit={webDownload} aria-label="Import from a URL">
          <input
            type="url"
            value={url}
            onInput={(e) => setUrl(e.currentTarget.value)}
            aria-label="Image URL (web-download)"
            placeholder="https://…/disk.qcow2"
            required
          />
          <button class="btn" type="submit">
            Import from URL
          </button>
        </form>
      )}
    </div>
  );
}

/** Shown on the detail page while the image can take data, or while this tab uploads into it. */
export function UploadPanel({ image }: { image: Image }) {
  const [up, setUp] = useState(() => liveUpload(image.id));
  useEffect(() => onUploadsChange(() => setUp(liveUpload(image.id))), [image.id]);
  const takesData = image.status === "queued" || image.status === "uploading";
  if (!up && !takesData) return null;
  return (
    <section class="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Image data</h2>
      {up ? <LiveUpload up={up} /> : <StartUpload image={image} />}
    </section>
  );
}
