// "Shared with me": images other projects shared with this one that wait for an answer (Accept / Reject).
import { useEffect, useState } from "preact/hooks";
import { setMemberStatus } from "../actions";
import { get } from "../api";
import { Alert, Spinner, StatusBadge } from "../components/ui";
import { bytes } from "../format";
import type { Image, ImageList } from "../images";
import { href } from "../router";
import type { Session } from "../session";

export function SharedPage({ session }: { session: Session }) {
  const [images, setImages] = useState<Image[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    // The list also holds this project's own shared images; only other owners' shares need an answer.
    get<ImageList>("/v2/images?visibility=shared&member_status=pending&limit=100")
      .then((d) => setImages(d.images.filter((i) => i.owner !== session.projectId)))
      .catch((e: Error) => setError(e.message));
  }, [tick, session.projectId]);

  const answer = async (img: Image, status: "accepted" | "rejected") => {
    setError(null);
    try {
      await setMemberStatus(img.id, session.projectId ?? "", status);
      setNotice(`${status === "accepted" ? "Accepted" : "Rejected"} ${img.name ?? img.id}.`);
      setTick((t) => t + 1);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <main id="main" tabIndex={-1}>
      <h1>Shared with me</h1>
      <p class="muted">
        Images other projects shared with <span class="mono">{session.projectId}</span> that you have not answered yet.
        Accepted ones appear in the images list.
      </p>
      {error && <Alert>{error}</Alert>}
      {notice && <Alert kind="success">{notice}</Alert>}
      {!images ? (
        <p>
          <Spinner label="Loading" /> Loading…
        </p>
      ) : images.length === 0 ? (
        <p class="empty">Nothing is waiting for an answer.</p>
      ) : (
        <table class="images">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Owner</th>
              <th scope="col">Size</th>
              <th scope="col">
                <span class="sr-only">Answer</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {images.map((img) => (
              <tr key={img.id} data-image-id={img.id}>
                <td data-label="Name">
                  <a href={href(`images/${img.id}`)}>{img.name || img.id}</a>
                </td>
                <td data-label="Status">
                  <StatusBadge status={img.status} />
                </td>
                <td data-label="Owner">
                  <span class="mono">{img.owner}</span>
                </td>
                <td data-label="Size">{bytes(img.size)}</td>
                <td class="row-actions">
                  <button
                    type="button"
                    class="btn btn-primary btn-small"
                    onClick={() => answer(img, "accepted")}
                    aria-label={`Accept ${img.name ?? img.id}`}
                  >
                    Accept
                  </button>{" "}
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => answer(img, "rejected")}
                    aria-label={`Reject ${img.name ?? img.id}`}
                  >
                    Reject
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
