import { expect } from "chai";
import { connect, type Socket } from "node:net";
import type { LerNetwork } from "../../src/chain/network.js";
import { startServer, type RunningServer } from "../../src/server/index.js";

/**
 * A slow-loris client (connections opened on 127.0.0.1, a request sent a few bytes at a time and never finished)
 * must not hold the service's connections: the header and request timeouts close them, and a connection cap
 * bounds how many can be open at once. The timeouts are made small through the options; every wait is bounded.
 */

// No chain is read by these requests: a network whose provider fails if asked.
const network = {
  name: "hardhat",
  chainId: 31337,
  provider: { getBlockNumber: () => Promise.reject(new Error("no chain in this test")) },
  deployment: { contracts: {} },
} as unknown as LerNetwork;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Client {
  socket: Socket;
  closedAt?: number;
  data: string;
}

async function open(port: number): Promise<Client> {
  const socket = connect({ host: "127.0.0.1", port });
  const client: Client = { socket, data: "" };
  socket.on("data", (d) => (client.data += d.toString("latin1")));
  socket.on("close", () => (client.closedAt = Date.now()));
  socket.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return client;
}

/** Waits until `done()` or `limitMs` has passed, polling every 20 ms. */
async function until(done: () => boolean, limitMs: number): Promise<void> {
  const end = Date.now() + limitMs;
  while (!done() && Date.now() < end) await sleep(20);
}

describe("ler serve against slow clients", function () {
  this.timeout(20_000);
  let server: RunningServer;
  const clients: Client[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.socket.destroy();
    await server?.close();
  });

  it("closes connections whose headers arrive too slowly, within the header timeout", async () => {
    server = await startServer({
      network,
      port: 0,
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 300,
    });
    const started = Date.now();
    for (let i = 0; i < 20; i++) clients.push(await open(server.port));
    for (const c of clients) c.socket.write("GET /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // One header byte per client every 50 ms: never idle, never finished. At most 60 rounds (3 s).
    for (let round = 0; round < 60 && clients.some((c) => c.closedAt === undefined); round++) {
      for (const c of clients)
        if (c.closedAt === undefined && !c.socket.destroyed) c.socket.write(round === 0 ? "X-Slow: " : "a");
      await sleep(50);
    }
    await until(() => clients.every((c) => c.closedAt !== undefined), 500);
    const stillOpen = clients.filter((c) => c.closedAt === undefined).length;
    expect(stillOpen, `${stillOpen} of ${clients.length} slow connections still open`).to.equal(0);
    const slowest = Math.max(...clients.map((c) => c.closedAt! - started));
    // The header timeout (400 ms) plus the server's checking interval, with room for a busy machine.
    expect(slowest).to.be.below(2500);
    // Answered 408 (or simply closed), never served.
    for (const c of clients)
      expect(c.data === "" || c.data.startsWith("HTTP/1.1 408")).to.equal(true, c.data.slice(0, 80));
  });

  it("closes a connection that sends nothing, and an idle keep-alive connection after a response", async () => {
    server = await startServer({
      network,
      port: 0,
      headersTimeoutMs: 400,
      requestTimeoutMs: 800,
      keepAliveTimeoutMs: 300,
    });
    const silent = await open(server.port);
    const served = await open(server.port);
    clients.push(silent, served);
    served.socket.write("GET /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await until(() => served.data.includes("\r\n\r\n"), 2000);
    expect(served.data).to.match(/^HTTP\/1\.1 404/);
    await until(() => silent.closedAt !== undefined && served.closedAt !== undefined, 3000);
    expect(silent.closedAt, "the silent connection is still open").to.not.equal(undefined);
    expect(served.closedAt, "the idle keep-alive connection is still open").to.not.equal(undefined);
  });

  it("refuses connections beyond the cap", async () => {
    server = await startServer({ network, port: 0, maxConnections: 3, headersTimeoutMs: 5000, requestTimeoutMs: 5000 });
    for (let i = 0; i < 5; i++) clients.push(await open(server.port));
    await until(() => clients.filter((c) => c.closedAt !== undefined).length >= 2, 2000);
    expect(clients.filter((c) => c.closedAt !== undefined)).to.have.length(2);
    expect(clients.slice(0, 3).every((c) => c.closedAt === undefined)).to.equal(true);
  });
});
