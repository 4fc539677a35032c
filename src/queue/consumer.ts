// The Cloudflare Queues adapter: each message names an import task; acked when done, retried when it must wait.
import { createImportRunner } from "../composition";
import { type Bindings, loadConfig } from "../config";
import { logFailure } from "../lib/log-failure";
import type { ImportMessage } from "../services/import/ports";

export async function handleImportBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const config = loadConfig(env);
  const runner = createImportRunner(env, config);
  // Come back once a task another delivery holds could have timed out.
  const delaySeconds = Math.max(1, Math.ceil(config.imports.taskTimeoutSeconds / 2));
  for (const message of batch.messages) {
    const body = message.body as Partial<ImportMessage> | null;
    if (!body || typeof body.taskId !== "string") {
      message.ack(); // not ours: retrying would never help
      continue;
    }
    try {
      const outcome = await runner.run({ taskId: body.taskId });
      if (outcome === "ack") message.ack();
      else message.retry({ delaySeconds });
    } catch (err) {
      // Storage hiccup before the task could be judged: the next delivery tries again.
      logFailure("import task", body.taskId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}
