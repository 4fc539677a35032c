// The Cloudflare Queues adapter: each message names an import task; acked when done, retried when it must wait.
import { createImportRunner } from "../composition";
import { type Bindings, type Config, ConfigError, loadConfig } from "../config";
import { logFailure } from "../lib/log-failure";
import type { ImportMessage } from "../services/import/ports";

/** How long a batch waits before it is tried again when the configuration is bad (an operator must fix it). */
const CONFIG_RETRY_SECONDS = 300;

export async function handleImportBatch(batch: MessageBatch<unknown>, env: Bindings): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // The same one line the HTTP side logs; the tasks stay pending and come back once it is fixed.
    console.error(`configuration error: ${err.message}. Import tasks wait until it is fixed.`);
    batch.retryAll({ delaySeconds: CONFIG_RETRY_SECONDS });
    return;
  }
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
      const credential = typeof body.credential === "string" ? body.credential : undefined;
      const outcome = await runner.run(
        credential === undefined ? { taskId: body.taskId } : { taskId: body.taskId, credential },
      );
      if (outcome === "ack") message.ack();
      else message.retry({ delaySeconds });
    } catch (err) {
      // Storage hiccup before the task could be judged: the next delivery tries again.
      logFailure("import task", body.taskId, err);
      message.retry({ delaySeconds: 5 });
    }
  }
}
