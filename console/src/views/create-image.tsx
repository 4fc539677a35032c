// Create an image: the form, then its data from a dropped/chosen file (format detected from its first bytes)
// through the resumable chunked stage, or from a URL (web-download), or none for now.
import { useState } from "preact/hooks";
import { call } from "../api";
import { DropZone } from "../components/drop-zone";
import { Alert, Field } from "../components/ui";
import { CONTAINER_FORMATS, DISK_FORMATS, type Image, imagePath, VISIBILITIES } from "../images";
import { href, navigate } from "../router";
import type { Session } from "../session";
import { MIB } from "../upload/chunk-plan";
import { detectFileFormat } from "../upload/detect";
import { startUpload } from "../upload/registry";
import { ChunkSizeField, DEFAULT_CHUNK_MIB } from "./upload-panel";

type Source = "file" | "url" | "none";

export function CreateImagePage({ session }: { session: Session }) {
  const [source, setSource] = useState<Source>("file");
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState("");
  const [diskFormat, setDiskFormat] = useState("raw");
  const [detected, setDetected] = useState<string | null>(null);
  const [chunkMiB, setChunkMiB] = useState(DEFAULT_CHUNK_MIB);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const pick = async (f: File) => {
    setFile(f);
    if (!name) setName(f.name.replace(/\.(img|raw|qcow2|vmdk|vhdx?|vdi|iso)$/i, ""));
    try {
      const fmt = await detectFileFormat(f);
      setDetected(fmt);
      setDiskFormat(fmt);
    } catch {
      setDetected(null);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    if (source === "file" && !file) return setError("Choose or drop the image file.");
    const tags = String(f.get("tags") ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter((t) => t !== "");
    const body = {
      name: name.trim() || undefined,
      disk_format: diskFormat,
      container_format: f.get("container_format"),
      visibility: f.get("visibility"),
      protected: f.get("protected") === "on",
      min_disk: Number(f.get("min_disk") || 0),
      min_ram: Number(f.get("min_ram") || 0),
      tags,
    };
    setBusy(true);
    setError(null);
    try {
      const image = (await call<Image>("POST", "/v2/images", { json: body })).data;
      if (source === "file" && file) startUpload(image.id, image.name ?? image.id, file, chunkMiB * MIB);
      if (source === "url")
        await call("POST", `${imagePath(image.id)}/import`, {
          json: { method: { name: "web-download", uri: String(f.get("uri")) } },
        });
      navigate(`images/${image.id}`);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" tabIndex={-1}>
      <p>
        <a href={href("images")}>← Images</a>
      </p>
      <h1>Create image</h1>
      {error && <Alert>{error}</Alert>}
      <form class="card form" onSubmit={submit} aria-label="Create image">
        <fieldset class="sources">
          <legend>Image data</legend>
          {(
            [
              ["file", "Upload a file (any size: resumable chunks)"],
              ["url", "Import from a URL (web-download)"],
              ["none", "No data yet"],
            ] as const
          ).map(([v, l]) => (
            <label key={v} class="check">
              <input type="radio" name="source" value={v} checked={source === v} onChange={() => setSource(v)} /> {l}
            </label>
          ))}
        </fieldset>
        {source === "file" && (
          <>
            <DropZone id="image-file" label="Image file" file={file} onFile={pick} />
            {detected && (
              <p class="muted" aria-live="polite" data-testid="detected-format">
                Detected format: <strong>{detected}</strong> (pre-selected below)
              </p>
            )}
            <ChunkSizeField value={chunkMiB} onChange={setChunkMiB} />
          </>
        )}
        {source === "url" && (
          <Field label="URL" hint="The service fetches it; private addresses are refused.">
            <input name="uri" type="url" required placeholder="https://example.com/disk.qcow2" />
          </Field>
        )}
        <Field label="Name">
          <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={255} />
        </Field>
        <div class="row">
          <Field label="Disk format">
            <select name="disk_format" value={diskFormat} onChange={(e) => setDiskFormat(e.currentTarget.value)}>
              {DISK_FORMATS.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
          <Field label="Container format">
            <select name="container_format" value="bare">
              {CONTAINER_FORMATS.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
          <Field label="Visibility">
            <select name="visibility" value="shared">
              {VISIBILITIES.filter((v) => v !== "public" || session.isAdmin).map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </Field>
        </div>
        <div class="row">
          <Field label="Min disk (GB)">
            <input name="min_disk" type="number" min={0} defaultValue="0" />
          </Field>
          <Field label="Min RAM (MB)">
            <input name="min_ram" type="number" min={0} defaultValue="0" />
          </Field>
          <label class="check">
            <input type="checkbox" name="protected" /> Protected
          </label>
        </div>
        <Field label="Tags" hint="Comma-separated">
          <input name="tags" />
        </Field>
        <div class="actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? "Creating…" : source === "file" ? "Create and upload" : "Create"}
          </button>
        </div>
      </form>
    </main>
  );
}
