// Sharing: the owner adds and removes member projects and sees their answers; a member answers for its project.
import { useEffect, useState } from "preact/hooks";
import { setMemberStatus } from "../actions";
import { call, get, patchImage } from "../api";
import { Alert } from "../components/ui";
import { dateTime } from "../format";
import { type Image, imagePath, type Member } from "../images";
import type { Session } from "../session";

export function Members({ image, session, onChange }: { image: Image; session: Session; onChange(i?: Image): void }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const owner = session.isAdmin || image.owner === session.projectId;
  const base = `${imagePath(image.id)}/members`;

  useEffect(() => {
    if (image.visibility !== "shared") return setMembers([]);
    get<{ members: Member[] }>(base)
      .then((d) => setMembers(d.members))
      .catch((e: Error) => setError(e.message));
  }, [image.id, image.visibility, tick]);

  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      setTick((t) => t + 1);
      return true;
    } catch (e) {
      setError((e as Error).message);
      return false;
    }
  };

  const onAdd = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const member = String(new FormData(form).get("member") ?? "").trim();
    if (member && (await run(() => call("POST", base, { json: { member } })))) form.reset();
  };

  if (image.visibility !== "shared") {
    return (
      <section class="card" aria-labelledby="members-title">
        <h2 id="members-title">Sharing</h2>
        {error && <Alert>{error}</Alert>}
        <p class="muted">Only images with visibility “shared” have members (this one is {image.visibility}).</p>
        {owner && (
          <button
            type="button"
            class="btn"
            onClick={() =>
              run(async () =>
                onChange(await patchImage<Image>(image.id, [{ op: "replace", path: "/visibility", value: "shared" }])),
              )
            }
          >
            Make it shared
          </button>
        )}
      </section>
    );
  }

  return (
    <section class="card" aria-labelledby="members-title">
      <h2 id="members-title">Sharing</h2>
      {error && <Alert>{error}</Alert>}
      {members && members.length === 0 && (
        <p class="muted">{owner ? "Not shared with any project yet." : "No membership."}</p>
      )}
      {members && members.length > 0 && (
        <div class="table-scroll">
          <table class="kv">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Status</th>
                <th scope="col">Updated</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.member_id} data-member={m.member_id}>
                  <th scope="row" class="mono">
                    {m.member_id}
                  </th>
                  <td>
                    <span class={`badge member-${m.status}`}>{m.status}</span>
                  </td>
                  <td>{dateTime(m.updated_at)}</td>
                  <td class="row-actions">
                    {owner && m.member_id !== session.projectId ? (
                      <button
                        type="button"
                        class="btn btn-small btn-danger"
                        aria-label={`Stop sharing with ${m.member_id}`}
                        onClick={() => run(() => call("DELETE", `${base}/${encodeURIComponent(m.member_id)}`))}
                      >
                        Remove
                      </button>
                    ) : m.member_id === session.projectId ? (
                      (["accepted", "rejected"] as const)
                        .filter((s) => s !== m.status)
                        .map((s) => (
                          <button
                            key={s}
                            type="button"
                            class="btn btn-small"
                            onClick={() => run(() => setMemberStatus(image.id, m.member_id, s).then(() => onChange()))}
                          >
                            {s === "accepted" ? "Accept" : "Reject"}
                          </button>
                        ))
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {owner && (
        <form class="inline-form" onSubmit={onAdd} aria-label="Share with a project">
          <input name="member" aria-label="Project ID to share with" placeholder="project ID" required />
          <button class="btn" type="submit">
            Share
          </button>
        </form>
      )}
    </section>
  );
}
