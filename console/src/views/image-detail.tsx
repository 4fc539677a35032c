// One image: every attribute, hashes with copy buttons, data upload, edit, properties, tags, sharing, import tasks.
import { useEffect, useState } from "preact/hooks";
import { deactivate, deleteImage, download, reactivate } from "../actions";
import { ApiError, get } from "../api";
import { Alert, ConfirmDialog, CopyButton, Spinner, StatusBadge } from "../components/ui";
import { bytes, dateTime } from "../format";
import { BUSY, type Image, imagePath, type Task } from "../images";
import { href, navigate } from "../router";
import type { Session } from "../session";
import { dropUpload, liveUpload, onUploadsChange } from "../upload/registry";
import type { UploadState } from "../upload/uploader";
import { EditImage } from "./detail-edit";
import { Members } from "./members";
import { PropertiesEditor, TagsEditor } from "./properties";
import { UploadPanel } from "./upload-panel";

const REFRESH_MS = 1500;

function Overview({ image }: { image: Image }) {
  const rows: [string, string][] = [
    ["ID", image.id],
    ["Status", image.status],
    ["Visibility", image.visibility],
    ["Protected", image.protected ? "yes" : "no"],
    ["Hidden", image.os_hidden ? "yes" : "no"],
    ["Owner", image.owner ?? "—"],
    ["Disk format", image.disk_format ?? "—"],
    ["Container format", image.container_format ?? "—"],
    ["Size", image.size === null ? "—" : `${bytes(image.size)} (${image.size} bytes)`],
    ["Virtual size", image.virtual_size === null ? "—" : bytes(image.virtual_size)],
    ["Min disk", `${image.min_disk} GB`],
    ["Min RAM", `${image.min_ram} MB`],
    ["Created", dateTime(image.created_at)],
    ["Updated", dateTime(image.updated_at)],
  ];
  return (
    <section class="card" aria-labelledby="overview-title">
      <h2 id="overview-title">Overview</h2>
      <dl class="attrs">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd class={k === "ID" || k === "Owner" ? "mono" : undefined}>{v}</dd>
          </div>
        ))}
      </dl>
      <h3>Hashes</h3>
      <dl class="attrs hashes">
        <div>
          <dt>checksum (MD5)</dt>
          <dd class="mono wrap" data-testid="image-checksum">
            {image.checksum ?? "—"} {image.checksum && <CopyButton text={image.checksum} label="checksum" />}
          </dd>
        </div>
        <div>
          <dt>os_hash_value ({image.os_hash_algo ?? "—"})</dt>
          <dd class="mono wrap" data-testid="image-sha512">
            {image.os_hash_value ?? "—"}{" "}
            {image.os_hash_value && <CopyButton text={image.os_hash_value} label="SHA-512" />}
          </dd>
        </div>
      </dl>
    </section>
  );
}

function Tasks({ image }: { image: Image }) {
  const [tasks, setTasks] = useState<Task[] | null>(null);
  useEffect(() => {
    get<{ tasks: Task[] }>(`${imagePath(image.id)}/tasks`)
      .then((d) => setTasks(d.tasks))
      .catch(() => setTasks([]));
  }, [image.id, image.status, image.updated_at]);
  if (!tasks || tasks.length === 0) return null;
  return (
    <section class="card" aria-labelledby="tasks-title">
      <h2 id="tasks-title">Import tasks</h2>
      <div class="table-scroll">
        <table class="kv">
          <thead>
            <tr>
              <th scope="col">Task</th>
              <th scope="col">Method</th>
              <th scope="col">Status</th>
              <th scope="col">Message</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((t) => (
              <tr key={t.id}>
                <td class="mono">{t.id.slice(0, 8)}</td>
                <td>{t.input?.import_req?.method?.name ?? t.type}</td>
                <td>
                  <span class={`badge task-${t.status}`}>{t.status}</span>
                </td>
                <td class="wrap">{t.message || "—"}</td>
                <td>{dateTime(t.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ImageDetailPage({ id, session }: { id: string; session: Session }) {
  const [image, setImage] = useState<Image | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [tick, setTick] = useState(0);
  const reload = (img?: Image) => (img ? setImage(img) : setTick((t) => t + 1));

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    get<Image>(imagePath(id))
      .then((img) => {
        if (!live) return;
        setImage(img);
        setError(null);
        // While this tab uploads into it, the status moves (queued -> uploading) before any phase change shows it.
        if (BUSY.has(img.status) || liveUpload(id)?.running)
          timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
      })
      .catch(
        (e: Error) =>
          live &&
          setError(
            e instanceof ApiError && e.status === 404 ? "This image does not exist, or you cannot see it." : e.message,
          ),
      );
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [id, tick]);

  // An upload in this tab moves the image along (queued -> uploading -> importing -> active): follow it.
  useEffect(() => {
    let last = "";
    let unsub = () => {};
    const onState = (s: UploadState) => {
      if (s.phase === last) return;
      last = s.phase;
      setTick((t) => t + 1);
    };
    const follow = () => {
      unsub();
      unsub = liveUpload(id)?.subscribe(onState) ?? (() => {});
    };
    follow();
    const off = onUploadsChange(follow);
    return () => {
      off();
      unsub();
    };
  }, [id]);

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    try {
      await fn();
      setNotice(label);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!image)
    return (
      <main id="main" tabIndex={-1}>
        <p>
          <a href={href("images")}>← Images</a>
        </p>
        {error ? <Alert>{error}</Alert> : <Spinner label="Loading image" />}
      </main>
    );

  const mine = session.isAdmin || image.owner === session.projectId;
  const remove = async () => {
    setConfirm(false);
    try {
      await deleteImage(image.id);
      dropUpload(image.id);
      navigate("images");
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <main id="main" tabIndex={-1} data-image-id={image.id}>
      <p>
        <a href={href("images")}>← Images</a>
      </p>
      <div class="page-head">
        <h1>
          {image.name || <span class="muted">(no name)</span>} <StatusBadge status={image.status} />
        </h1>
        <div class="actions">
          {mine && (
            <button type="button" class="btn" onClick={() => setEditing(!editing)} aria-expanded={editing}>
              Edit
            </button>
          )}
          {image.status === "active" && (
            <button type="button" class="btn" onClick={() => act("Download started.", () => download(image))}>
              Download
            </button>
          )}
          {mine && image.status === "active" && (
            <button type="button" class="btn" onClick={() => act("Image deactivated.", () => deactivate(image.id))}>
              Deactivate
            </button>
          )}
          {mine && image.status === "deactivated" && (
            <button type="button" class="btn" onClick={() => act("Image reactivated.", () => reactivate(image.id))}>
              Reactivate
            </button>
          )}
          {mine && (
            <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)}>
              Delete
            </button>
          )}
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {typeof image.os_glance_failed_import === "string" && image.os_glance_failed_import !== "" && (
        <Alert kind="warning">The last import failed (see the import tasks below).</Alert>
      )}
      {editing && (
        <EditImage
          image={image}
          onClose={() => setEditing(false)}
          onSaved={(img) => {
            setEditing(false);
            setNotice("Saved.");
            setImage(img);
          }}
        />
      )}
      {mine && <UploadPanel image={image} />}
      <Overview image={image} />
      <PropertiesEditor image={image} editable={mine} onChange={reload} />
      <TagsEditor image={image} editable={mine} onChange={reload} />
      <Members image={image} session={session} onChange={reload} />
      <Tasks image={image} />
      {confirm && (
        <ConfirmDialog
          title="Delete image?"
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirm(false)}
          onConfirm={remove}
        >
          <p>
            <strong>{image.name || image.id}</strong> and its data will be deleted. This cannot be undone.
            {image.protected && " It is protected: unprotect it first (Edit), or the service will refuse."}
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
