// The Worker's queue handler: runs import tasks; a message is acked when done, retried when it must wait.
import { type Bindings, loadConfig } from "../config";
import { logFailure } from "../lib/log-failure";
import { createImportWorker } from "../services/create-services";
import type { ImportMessage } from "../services/import-ports";

export async function handleImportBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  const config = loadConfig(env);
  const worker = createImportWorker(env, config);
  // Come back once a task another delivery holds could have timed out.
  const delaySeconds = Math.max(1, Math.ceil(config.imports.taskTimeoutSeconds / 2));
  for (const message of batch.messages) {
    const body = message.body as Partial<ImportMessage> | null;
    if (!body || typeof body.taskId !== "string") {
      message.ack(); // not ours: retrying would never help
      continue;
    }
    try {
      const outcome = await worker.run({ taskId: body.taskId });
      if (outcome === "ack") message.ack();
      else message.retry({ delaySeconds });
    } catch (err) {
      // Storage hiccup before the task could be judged: the next delivery tries again.
      logFailure("import task", body.taskId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}
