// claimData: the status change that starts an upload, stage or download into R2, with its quota reservation.
import type { ImageStatus } from "../../domain/image";
import type { ImageRepository, StatusChange } from "../ports";
import type { QuotaPolicy } from "../quota";
import { lostRace } from "./errors";

const ATTEMPTS = 3;

/**
 * Moves the image by `change` (a CAS), reserving `declared` bytes against the owner's quotas in the same
 * statement. Refused: 413 when the bytes do not fit (judged again from fresh usage), else the lost race's
 * 409/410. A refusal that no longer holds when judged again (another upload ended meanwhile) is retried.
 */
export async function claimData(
  d: { repo: Pick<ImageRepository, "transition" | "find">; quota: Pick<QuotaPolicy, "reservation" | "admitData"> },
  id: string,
  change: StatusChange & { to: ImageStatus },
  at: number,
  data: { owner: string | null; declared: number | null; stage: boolean },
): Promise<void> {
  const reserve = d.quota.reservation(data.owner, data.declared, data.stage);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await d.repo.transition(id, { ...change, reserve }, at)) return;
    if (!reserve) break;
    const found = await d.repo.find(id, null);
    if (!found || found.image.status !== change.from) break;
    // Still where it was, so the reservation did not fit: this throws the quota's 413 unless it fits now.
    await d.quota.admitData(data.owner, data.declared, data.stage);
  }
  throw await lostRace(d.repo, id, change.to);
}
