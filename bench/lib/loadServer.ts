/**
 * The service under load, in a process of its own (bench/load.ts starts it): `startServer` over the benchmark's
 * chain, exactly as `ler serve` runs it. It reports its memory to the parent every second over IPC, and on request
 * after a full garbage collection (it runs with --expose-gc), so that what the load left behind can be told apart
 * from garbage not yet collected.
 *
 *   node --expose-gc --import tsx bench/lib/loadServer.ts <rpcUrl> <deploymentsDir> <network>
 *
 * Messages to the parent: {type: "ready", url}, {type: "sample", memory}, {type: "gc", memory}.
 * Messages from the parent: {type: "gc"}, {type: "stop"}.
 */
import { connectNetwork } from "../../src/chain/network.js";
import { startServer } from "../../src/server/index.js";

export interface MemorySample {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export type ServerMessage =
  { type: "ready"; url: string } | { type: "sample"; memory: MemorySample } | { type: "gc"; memory: MemorySample };
export type ServerCommand = { type: "gc" } | { type: "stop" };

const MB = 1024 * 1024;

export function memorySample(): MemorySample {
  const m = process.memoryUsage();
  return { rssMb: m.rss / MB, heapUsedMb: m.heapUsed / MB, heapTotalMb: m.heapTotal / MB, externalMb: m.external / MB };
}

// Run only as the child process (a benchmark module imported for its types must not start a server).
if (process.send !== undefined && process.argv[1]?.endsWith("loadServer.ts")) await main();

async function main(): Promise<void> {
  const [rpcUrl, deploymentsDir, network] = process.argv.slice(2);
  if (rpcUrl === undefined || deploymentsDir === undefined || network === undefined) {
    throw new Error("usage: loadServer.ts <rpcUrl> <deploymentsDir> <network>");
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --expose-gc");
  const send = (m: ServerMessage) => process.send!(m);
  const net = await connectNetwork({ rpcUrl, network, deploymentsDir });
  const server = await startServer({ network: net, host: "127.0.0.1", port: 0 });
  const timer = setInterval(() => send({ type: "sample", memory: memorySample() }), 1000);
  process.on("message", (m: ServerCommand) => {
    if (m.type === "gc") {
      // Twice: the first full collection can leave finalizable objects for the second.
      gc();
      gc();
      send({ type: "gc", memory: memorySample() });
    } else if (m.type === "stop") {
      clearInterval(timer);
      void server.close().then(() => {
        net.provider.destroy();
        process.disconnect();
      });
    }
  });
  send({ type: "ready", url: server.url });
}
