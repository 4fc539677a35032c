// Editing an image's base attributes: one JSON-patch of what changed (formats only while Glance allows it).
import { useState } from "preact/hooks";
import { type PatchOp, patchImage } from "../api";
import { Alert, Field } from "../components/ui";
import { CONTAINER_FORMATS, DISK_FORMATS, type Image, VISIBILITIES } from "../images";

/** Glance locks the formats once the image left queued/importing. */
const FORMATS_EDITABLE = new Set(["queued", "importing"]);

export function EditImage({ image, onSaved, onClose }: { image: Image; onSaved(i: Image): void; onClose(): void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formats = FORMATS_EDITABLE.has(image.status);

  const save = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const wanted: Record<string, unknown> = {
      name: String(f.get("name") ?? ""),
      visibility: f.get("visibility"),
      protected: f.get("protected") === "on",
      min_disk: Number(f.get("min_disk")),
      min_ram: Number(f.get("min_ram")),
    };
    if (formats) {
      wanted.disk_format = f.get("disk_format") || null;
      wanted.container_format = f.get("container_format") || null;
    }
    const ops: PatchOp[] = Object.entries(wanted)
      .filter(([k, v]) => v !== (image[k] ?? null) && !(k === "name" && v === "" && image.name === null))
      .map(([k, v]) => ({ op: "replace", path: `/${k}`, value: v }));
    if (ops.length === 0) return onClose();
    setBusy(true);
    setError(null);
    try {
      onSaved(await patchImage<Image>(image.id, ops));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="card form" onSubmit={save} aria-labelledby="edit-title">
      <h2 id="edit-title">Edit image</h2>
      {error && <Alert>{error}</Alert>}
      <Field label="Name">
        <input name="name" defaultValue={image.name ?? ""} maxLength={255} />
      </Field>
      <div class="row">
        <Field label="Visibility" hint="public needs the admin role">
          <select name="visibility" value={image.visibility}>
            {VISIBILITIES.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <label class="check">
          <input type="checkbox" name="protected" defaultChecked={image.protected} /> Protected (cannot be deleted)
        </label>
      </div>
      <div class="row">
        <Field label="Min disk (GB)">
          <input name="min_disk" type="number" min={0} step={1} defaultValue={String(image.min_disk)} required />
        </Field>
        <Field label="Min RAM (MB)">
          <input name="min_ram" type="number" min={0} step={1} defaultValue={String(image.min_ram)} required />
        </Field>
      </div>
      <div class="row">
        <Field label="Disk format" hint={formats ? undefined : "Fixed once the image has data"}>
          <select name="disk_format" value={image.disk_format ?? ""} disabled={!formats}>
            <option value="">(none)</option>
            {DISK_FORMATS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
        <Field label="Container format" hint={formats ? undefined : "Fixed once the image has data"}>
          <select name="container_format" value={image.container_format ?? ""} disabled={!formats}>
            <option value="">(none)</option>
            {CONTAINER_FORMATS.map((v) => (
              <option key={v}>{v}</option>
            ))}
          </select>
        </Field>
      </div>
      <div class="actions">
        <button type="button" class="btn" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : "Save"}
        </button>
      </div>
    </form>
  );
}
