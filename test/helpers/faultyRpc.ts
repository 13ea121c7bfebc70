// A JSON-RPC proxy on 127.0.0.1 that sits in front of a real node and misbehaves on demand: refuses connections,
// hangs, answers HTTP 500, malformed JSON or JSON-RPC errors, resets the connection, or passes answers through a
// rewrite that lies. For the reliability tests: a verifier behind it must answer `unknown`, never `valid`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** One JSON-RPC request as the client sent it. */
export interface RpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

/** One JSON-RPC response as the node sent it. */
export interface RpcResponse {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export type Fault =
  /** Forward untouched. */
  | { kind: "pass" }
  /** Accept the connection and never answer. */
  | { kind: "hang" }
  /** Answer HTTP 500. */
  | { kind: "http500" }
  /** Answer HTTP 200 with a body that is not JSON. */
  | { kind: "malformed" }
  /** Answer a JSON-RPC error object for the request. */
  | { kind: "rpcError"; code?: number; message?: string }
  /** Destroy the connection without an answer. */
  | { kind: "reset" }
  /** Forward, then let `rewrite` change the node's answer (a lying node). */
  | { kind: "rewrite"; rewrite: (request: RpcRequest, response: RpcResponse) => RpcResponse | Promise<RpcResponse> };

export interface FaultyRpc {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What happens to the next requests (the requests `only` selects; default every request). */
  setFault: (fault: Fault, only?: (method: string) => boolean) => void;
  /** Stops listening: connections are refused until `up()`. */
  down: () => Promise<void>;
  /** Listens again on the same port. */
  up: () => Promise<void>;
  /** Methods of every request received, in order. */
  methods: string[];
  close: () => Promise<void>;
}

/** Starts a proxy for `upstream` (a JSON-RPC URL) on a free loopback port. */
export async function startFaultyRpc(upstream: string): Promise<FaultyRpc> {
  let fault: Fault = { kind: "pass" };
  let selects: (method: string) => boolean = () => true;
  const methods: string[] = [];
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
    const requests = Array.isArray(parsed) ? parsed : [parsed];
    methods.push(...requests.map((r) => r.method));
    const active = requests.some((r) => selects(r.method)) ? fault : ({ kind: "pass" } as Fault);
    const reply = (status: number, text: string) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(text);
    };
    switch (active.kind) {
      case "hang":
        return; // the socket stays open until the client gives up or the proxy closes
      case "http500":
        return reply(500, "Internal Server Error");
      case "malformed":
        return reply(200, '{"jsonrpc":"2.0","id":1,"result":"0x');
      case "reset":
        req.socket.destroy();
        return;
      case "rpcError": {
        const errors = requests.map((r) => ({
          jsonrpc: "2.0",
          id: r.id,
          error: { code: active.code ?? -32000, message: active.message ?? "header not found" },
        }));
        return reply(200, JSON.stringify(Array.isArray(parsed) ? errors : errors[0]));
      }
      case "pass":
      case "rewrite": {
        const upstreamRes = await fetch(upstream, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const text = await upstreamRes.text();
        if (active.kind === "pass") return reply(upstreamRes.status, text);
        const answer = JSON.parse(text) as RpcResponse | RpcResponse[];
        const answers = Array.isArray(answer) ? answer : [answer];
        const rewritten = await Promise.all(
          answers.map((a) => {
            const request = requests.find((r) => r.id === a.id);
            return request !== undefined && selects(request.method) ? active.rewrite(request, a) : a;
          }),
        );
        return reply(200, JSON.stringify(Array.isArray(answer) ? rewritten : rewritten[0]));
      }
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(String(e));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  const port = await listen(0);

  return {
    url: `http://127.0.0.1:${port}`,
    setFault: (next, only = () => true) => {
      fault = next;
      selects = only;
    },
    down: stop,
    up: async () => {
      if (!server.listening) await listen(port);
    },
    methods,
    close: stop,
  };
}
