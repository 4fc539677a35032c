// Extra properties (add / change / remove, each one JSON-patch op) and tags (PUT/DELETE /tags/{tag}).
import { useEffect, useState } from "preact/hooks";
import { call, patchImage, pointer } from "../api";
import { Alert } from "../components/ui";
import { extraProperties, type Image, imagePath, isReserved } from "../images";

interface Props {
  image: Image;
  editable: boolean;
  onChange(i?: Image): void;
}

function useAction(onDone: (i?: Image) => void) {
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<Image | undefined>) => {
    setError(null);
    try {
      onDone(await fn());
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };
  return { error, run };
}

export function PropertiesEditor({ image, editable, onChange }: Props) {
  const { error, run } = useAction(onChange);
  const props = extraProperties(image);
  const patch = (op: "add" | "replace" | "remove", key: string, value?: string) =>
    run(() =>
      patchImage<Image>(image.id, [op === "remove" ? { op, path: pointer(key) } : { op, path: pointer(key), value }]),
    );

  const onAdd = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const f = new FormData(form);
    const key = String(f.get("key") ?? "").trim();
    if (key && (await patch("add", key, String(f.get("value") ?? "")))) form.reset();
  };

  return (
    <section class="card" aria-labelledby="props-title">
      <h2 id="props-title">Properties</h2>
      {error && <Alert>{error}</Alert>}
      {props.length === 0 ? (
        <p class="muted">No extra properties.</p>
      ) : (
        <div class="table-scroll">
          <table class="kv">
            <thead>
              <tr>
                <th scope="col">Property</th>
                <th scope="col">Value</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.map(([key, value]) => (
                <PropertyRow
                  key={key}
                  name={key}
                  value={String(value)}
                  editable={editable && !isReserved(key)}
                  patch={patch}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editable && (
        <form class="inline-form" onSubmit={onAdd} aria-label="Add a property">
          <input name="key" aria-label="New property name" placeholder="name, e.g. os_distro" required />
          <input name="value" aria-label="New property value" placeholder="value" />
          <button class="btn" type="submit">
            Add property
          </button>
        </form>
      )}
    </section>
  );
}

function PropertyRow({
  name,
  value,
  editable,
  patch,
}: {
  name: string;
  value: string;
  editable: boolean;
  patch(op: "replace" | "remove", k: string, v?: string): Promise<boolean>;
}) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <tr data-property={name}>
      <th scope="row" class="mono">
        {name}
      </th>
      <td>
        {editable ? (
          <input value={draft} aria-label={`Value of ${name}`} onInput={(e) => setDraft(e.currentTarget.value)} />
        ) : (
          <span class="mono wrap">{value === "" ? <span class="muted">(empty)</span> : value}</span>
        )}
      </td>
      <td class="row-actions">
        {editable && (
          <>
            <button
              type="button"
              class="btn btn-small"
              disabled={draft === value}
              onClick={() => patch("replace", name, draft)}
              aria-label={`Save ${name}`}
            >
              Save
            </button>{" "}
            <button
              type="button"
              class="btn btn-small btn-danger"
              onClick={() => patch("remove", name)}
              aria-label={`Remove ${name}`}
            >
              Remove
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

export function TagsEditor({ image, editable, onChange }: Props) {
  const { error, run } = useAction(onChange);
  const tagPath = (t: string) => `${imagePath(image.id)}/tags/${encodeURIComponent(t)}`;
  const onAdd = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const tag = String(new FormData(form).get("tag") ?? "").trim();
    if (tag && (await run(async () => void (await call("PUT", tagPath(tag)))))) form.reset();
  };
  return (
    <section class="card" aria-labelledby="tags-title">
      <h2 id="tags-title">Tags</h2>
      {error && <Alert>{error}</Alert>}
      <ul class="tags" aria-label="Tags">
        {image.tags.length === 0 && <li class="muted">No tags.</li>}
        {image.tags.map((t) => (
          <li key={t} class="tag">
            <span>{t}</span>
            {editable && (
              <button
                type="button"
                class="tag-remove"
                aria-label={`Remove tag ${t}`}
                onClick={() => run(async () => void (await call("DELETE", tagPath(t))))}
              >
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <form class="inline-form" onSubmit={onAdd} aria-label="Add a tag">
          <input name="tag" aria-label="New tag" placeholder="tag" maxLength={255} required />
          <button class="btn" type="submit">
            Add tag
          </button>
        </form>
      )}
    </section>
  );
}
