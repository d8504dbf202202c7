/**
 * Child of resilient_listener_test.ts: dvt serve's HTTP side with no sources (GET /health
 * answers), started in a process whose descriptor limit the test lowers. Prints its URL, then
 * each lost listener on stderr.
 */
import { startWebhookServer } from "../../../runtime/serve/webhook_server.ts";

const server = await startWebhookServer([], {
  hostname: "127.0.0.1",
  port: 0,
  flushEvents: 1000,
  flushIntervalMs: 1000,
  shutdownWaitMs: 1000,
  onListenerLost: (error) => console.error(`listener lost: ${error}`),
});
console.log(server.url);
await server.finished;
