// A file picker that also takes a dropped file; the real <input type=file> keeps it keyboard-usable and labelled.
import { useState } from "preact/hooks";
import { bytes } from "../format";

export function DropZone({
  label,
  file,
  onFile,
  id,
}: {
  label: string;
  file: File | null;
  onFile(f: File): void;
  id: string;
}) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const f = e.dataTransfer?.files[0];
    if (f) onFile(f);
  };
  return (
    <fieldset
      class={`dropzone${over ? " over" : ""}`}
      aria-label={label}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <label for={id} class="dropzone-label">
        <strong>{label}</strong>
        <span class="muted">Drop a file here or choose one</span>
      </label>
      <input
        id={id}
        type="file"
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          if (f) onFile(f);
        }}
      />
      {file && (
        <p class="dropzone-file" aria-live="polite">
          {file.name} · {bytes(file.size)}
        </p>
      )}
    </fieldset>
  );
}
