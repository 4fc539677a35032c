// The images list (Horizon-like): filters, sortable columns, keyset paging through `next`, row menus, self-refresh.
import { useEffect, useState } from "preact/hooks";
import { deactivate, deleteImage, download, reactivate } from "../actions";
import { get } from "../api";
import { Alert, ConfirmDialog, RowMenu, Spinner, StatusBadge } from "../components/ui";
import { bytes } from "../format";
import { BUSY, type Image, type ImageList, STATUSES } from "../images";
import { href, navigate, type Route } from "../router";
import type { Session } from "../session";

/** The columns Glance can sort by (others are shown but not sortable: the API has no such sort key). */
const COLUMNS: { key: string; label: string; sort?: string }[] = [
  { key: "name", label: "Name", sort: "name" },
  { key: "status", label: "Status", sort: "status" },
  { key: "visibility", label: "Visibility" },
  { key: "protected", label: "Protected" },
  { key: "disk_format", label: "Disk format", sort: "disk_format" },
  { key: "size", label: "Size", sort: "size" },
  { key: "owner", label: "Owner" },
  { key: "created_at", label: "Created", sort: "created_at" },
];
const FILTERS = ["name", "status", "visibility", "tag"] as const;
const DEFAULT_SORT = "created_at:desc";
const REFRESH_MS = 2000;

export function listUrl(q: URLSearchParams): string {
  const p = new URLSearchParams();
  for (const f of FILTERS) {
    const v = q.get(f);
    // A name with a colon would read as "<operator>:<value>"; eq: says it is the whole name.
    if (v) p.set(f, f === "name" && v.includes(":") ? `eq:${v}` : v);
  }
  p.set("limit", q.get("limit") ?? "20");
  p.set("sort", q.get("sort") ?? DEFAULT_SORT);
  return `/v2/images?${p}`;
}

export function ImageListPage({ route, session }: { route: Route; session: Session }) {
  const q = route.query;
  const first = listUrl(q);
  // Pages visited, first to current: "Previous" goes back one, no OFFSET anywhere.
  const [pages, setPages] = useState<string[]>([first]);
  const [data, setData] = useState<ImageList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Image | null>(null);
  const [tick, setTick] = useState(0);
  const current = pages[pages.length - 1]!;

  useEffect(() => setPages([first]), [first]);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    get<ImageList>(current)
      .then((d) => {
        if (!live) return;
        setData(d);
        setError(null);
        if (d.images.some((i) => BUSY.has(i.status))) timer = setTimeout(() => setTick((t) => t + 1), REFRESH_MS);
      })
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [current, tick]);

  const setQuery = (changes: Record<string, string>) => {
    const next = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    navigate("images", next);
  };
  const [sortKey, sortDir] = (q.get("sort") ?? DEFAULT_SORT).split(":");
  const toggleSort = (key: string) =>
    setQuery({ sort: `${key}:${sortKey === key && sortDir === "asc" ? "desc" : "asc"}` });

  const act = async (label: string, fn: () => Promise<unknown>) => {
    setNotice(null);
    try {
      await fn();
      setNotice(label);
      setTick((t) => t + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const mine = (img: Image) => session.isAdmin || img.owner === session.projectId;

  const onFilter = (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    setQuery(Object.fromEntries([...FILTERS, "limit"].map((k) => [k, String(f.get(k) ?? "").trim()])));
  };

  return (
    <main id="main" tabIndex={-1}>
      <div class="page-head">
        <h1>Images</h1>
        <a class="btn btn-primary" href={href("create")}>
          Create image
        </a>
      </div>
      <form class="filters card" onSubmit={onFilter} aria-label="Filter images" key={q.toString()}>
        <label class="field">
          <span class="field-label">Name (exact)</span>
          <input name="name" type="search" defaultValue={q.get("name") ?? ""} />
        </label>
        <label class="field">
          <span class="field-label">Status</span>
          <select name="status" value={q.get("status") ?? ""} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Visibility</span>
          <select
            name="visibility"
            value={q.get("visibility") ?? ""}
            onChange={(e) => e.currentTarget.form?.requestSubmit()}
          >
            <option value="">default</option>
            {["public", "private", "shared", "community", "all"].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Tag</span>
          <input name="tag" type="search" defaultValue={q.get("tag") ?? ""} />
        </label>
        <label class="field">
          <span class="field-label">Per page</span>
          <select name="limit" value={q.get("limit") ?? "20"} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
            {["5", "10", "20", "50", "100"].map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <div class="filter-actions">
          <button class="btn" type="submit">
            Filter
          </button>
          <a class="btn" href={href("images")}>
            Clear
          </a>
        </div>
      </form>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {!data ? (
        <p>
          <Spinner label="Loading images" /> Loading…
        </p>
      ) : (
        <>
          <table class="images">
            <caption class="sr-only">
              Images, sorted by {sortKey} {sortDir === "asc" ? "ascending" : "descending"}
            </caption>
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={c.sort === sortKey ? (sortDir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    {c.sort ? (
                      <button type="button" class="sort" onClick={() => toggleSort(c.sort!)}>
                        {c.label}
                        <span aria-hidden="true">{c.sort === sortKey ? (sortDir === "asc" ? " ▲" : " ▼") : ""}</span>
                      </button>
                    ) : (
                      c.label
                    )}
                  </th>
                ))}
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.images.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS.length + 1} class="empty">
                    No images match.
                  </td>
                </tr>
              )}
              {data.images.map((img) => (
                <tr key={img.id} data-image-id={img.id}>
                  <td data-label="Name">
                    <a href={href(`images/${img.id}`)}>
                      {img.name || <span class="muted">(no name) {img.id.slice(0, 8)}</span>}
                    </a>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={img.status} />
                  </td>
                  <td data-label="Visibility">{img.visibility}</td>
                  <td data-label="Protected">{img.protected ? "yes" : "no"}</td>
                  <td data-label="Disk format">{img.disk_format ?? "—"}</td>
                  <td data-label="Size">{bytes(img.size)}</td>
                  <td data-label="Owner">
                    <span class="mono">{img.owner ?? "—"}</span>
                  </td>
                  <td data-label="Created">{new Date(img.created_at).toLocaleDateString()}</td>
                  <td class="row-actions">
                    <RowMenu
                      label={`Actions for ${img.name || img.id}`}
                      items={[
                        { label: "View details", onSelect: () => navigate(`images/${img.id}`) },
                        ...(img.status === "active"
                          ? [{ label: "Download", onSelect: () => act("Download started.", () => download(img)) }]
                          : []),
                        ...(mine(img) && img.status === "active"
                          ? [
                              {
                                label: "Deactivate",
                                onSelect: () => act(`Deactivated ${img.name ?? img.id}.`, () => deactivate(img.id)),
                              },
                            ]
                          : []),
                        ...(mine(img) && img.status === "deactivated"
                          ? [
                              {
                                label: "Reactivate",
                                onSelect: () => act(`Reactivated ${img.name ?? img.id}.`, () => reactivate(img.id)),
                              },
                            ]
                          : []),
                        ...(mine(img) ? [{ label: "Delete", danger: true, onSelect: () => setConfirm(img) }] : []),
                      ]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="Pages">
            <button type="button" class="btn" disabled={pages.length === 1} onClick={() => setPages([first])}>
              First
            </button>
            <button
              type="button"
              class="btn"
              disabled={pages.length === 1}
              onClick={() => setPages(pages.slice(0, -1))}
            >
              Previous
            </button>
            <span aria-live="polite">Page {pages.length}</span>
            <button
              type="button"
              class="btn"
              disabled={!data.next}
              onClick={() => data.next && setPages([...pages, data.next])}
            >
              Next
            </button>
          </nav>
        </>
      )}
      {confirm && (
        <ConfirmDialog
          title="Delete image?"
          confirmLabel="Delete"
          danger
          onCancel={() => setConfirm(null)}
          onConfirm={() => {
            const img = confirm;
            setConfirm(null);
            void act(`Deleted ${img.name ?? img.id}.`, () => deleteImage(img.id));
          }}
        >
          <p>
            <strong>{confirm.name || confirm.id}</strong> and its data will be deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
