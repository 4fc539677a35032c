// The project's quotas from GET /v2/info/usage, as bars (a limit of -1 is unlimited).
import { useEffect, useState } from "preact/hooks";
import { get } from "../api";
import { Alert, Progress, Spinner } from "../components/ui";
import { bytes } from "../format";
import type { Session } from "../session";

interface Quota {
  limit: number;
  usage: number;
}

/** Glance's unified-limit resources; the two size ones count MiB. */
const RESOURCES: { key: string; label: string; mib?: boolean }[] = [
  { key: "image_count_total", label: "Images" },
  { key: "image_count_uploading", label: "Images uploading at once" },
  { key: "image_size_total", label: "Image data", mib: true },
  { key: "image_stage_total", label: "Staged data (not yet imported)", mib: true },
];

export function UsagePage({ session }: { session: Session }) {
  const [usage, setUsage] = useState<Record<string, Quota> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<{ usage: Record<string, Quota> }>("/v2/info/usage")
      .then((d) => setUsage(d.usage))
      .catch((e: Error) => setError(e.message));
  }, []);
  const show = (n: number, mib?: boolean) => (mib ? bytes(n * 1024 * 1024) : String(n));
  return (
    <main id="main" tabIndex={-1}>
      <h1>Usage</h1>
      <p class="muted">
        Quotas of project <span class="mono">{session.projectId}</span>.
      </p>
      {error && <Alert>{error}</Alert>}
      {!usage && !error && <Spinner label="Loading usage" />}
      {usage && (
        <div class="card">
          {RESOURCES.filter((r) => usage[r.key]).map((r) => {
            const q = usage[r.key]!;
            const unlimited = q.limit < 0;
            return (
              <div class="quota" key={r.key} data-resource={r.key}>
                <div class="quota-head">
                  <span>{r.label}</span>
                  <span>
                    {show(q.usage, r.mib)} {unlimited ? "used (unlimited)" : `of ${show(q.limit, r.mib)}`}
                  </span>
                </div>
                <Progress
                  value={unlimited ? 0 : q.usage}
                  max={unlimited ? 1 : Math.max(q.limit, 1)}
                  label={`${r.label} used`}
                />
              </div>
            );
          })}
        </div>
      )}
    </main>
  );
}
