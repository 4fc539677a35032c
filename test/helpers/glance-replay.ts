// Replays a recorded metadefs scenario through the Worker and compares every answer with Glance 25's.

import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";
import { comparable } from "../../scripts/metadefs/normalize.mjs";
import { IDENTITIES } from "../fixtures/metadefs-glance/identities.mjs";
import { BASE } from "./api";

export interface Step {
  as: keyof typeof IDENTITIES;
  method: string;
  path: string;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** This service answers on purpose unlike Glance (README, Differences from Glance). */
  differs?: { status: number; message?: string; body?: unknown };
}

type Answer = ReturnType<typeof comparable>;

async function send(step: Step): Promise<Answer> {
  const headers = new Headers({
    "X-Auth-Token": IDENTITIES[step.as].token,
    Accept: "application/json",
    ...step.headers,
  });
  let body: string | undefined = step.body;
  if (step.json !== undefined) {
    body = JSON.stringify(step.json);
    if (!headers.has("content-type")) headers.set("Content-Type", "application/json");
  }
  const res = await exports.default.fetch(new Request(`${BASE}${step.path}`, { method: step.method, headers, body }));
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = { message: text };
  }
  return comparable(res.status, res.headers.get("location"), parsed);
}

/** One test per step, in order (they share the file's storage); the recorded answer must match exactly. */
export function replay(steps: Step[], recorded: Answer[]): void {
  if (steps.length !== recorded.length)
    throw new Error(`${steps.length} steps but ${recorded.length} recorded answers`);
  steps.forEach((step, i) => {
    it(`#${i} ${step.as} ${step.method} ${step.path}`, async () => {
      const ours = await send(step);
      if (!step.differs) {
        expect(JSON.stringify(ours, null, 1)).toBe(JSON.stringify(recorded[i], null, 1));
        return;
      }
      expect(ours.status).toBe(step.differs.status);
      if (step.differs.message !== undefined)
        expect((ours.body as { message: string }).message).toBe(step.differs.message);
      if (step.differs.body !== undefined) expect(JSON.stringify(ours.body)).toBe(JSON.stringify(step.differs.body));
      // Glance's own answer is recorded all the same, so the difference stays visible.
      expect(
        recorded[i]!.status === step.differs.status &&
          step.differs.body === undefined &&
          step.differs.message === undefined,
      ).toBe(false);
    });
  });
}
