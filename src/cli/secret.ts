import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ReadStream } from "node:tty";
import { LerError, UsageError } from "../errors.js";

/**
 * The key store's secret: LER_SECRET, or typed at a prompt when stdin is a terminal (nothing echoed). It is never
 * printed or logged, and never taken from the command line, where other users of the machine could read it.
 * A new store asks twice. It opens the private keys and, through keys derived from it, the wallet, the issued ledger
 * and the intent log of the home (all encrypted at rest).
 */
export async function keyStoreSecret(
  home: string,
  {
    env = process.env,
    stdin = process.stdin,
    stderr = process.stderr,
  }: { env?: NodeJS.ProcessEnv; stdin?: NodeJS.ReadStream; stderr?: NodeJS.WriteStream } = {},
): Promise<string> {
  const fromEnv = env.LER_SECRET;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (stdin.isTTY !== true) {
    throw new UsageError("missing_secret", "The key store needs its secret: set LER_SECRET (no terminal to ask on).");
  }
  const fresh = !existsSync(join(home, "keystore.json"));
  if (fresh)
    stderr.write(
      `Creating a key store in ${home}. Choose a secret; it encrypts every private key, credential and record kept there.\n`,
    );
  const secret = await promptHidden(
    fresh ? "New key store secret: " : `Key store secret (${home}): `,
    stdin as ReadStream,
    stderr,
  );
  if (secret === "") throw new UsageError("missing_secret", "The secret cannot be empty.");
  if (fresh) {
    const again = await promptHidden("Repeat the secret: ", stdin as ReadStream, stderr);
    if (again !== secret) throw new UsageError("secret_mismatch", "The two secrets differ; nothing was created.");
  }
  return secret;
}

/**
 * Reads a line from a terminal without echoing it. Ctrl-C aborts (`interrupted`, exit 130); Ctrl-D or Enter ends the
 * line; Backspace deletes.
 */
export function promptHidden(question: string, input: ReadStream, output: NodeJS.WritableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    // Raw mode before the prompt shows: what is typed (or pasted) right after it must never be echoed.
    const wasRaw = input.isRaw;
    input.setRawMode(true);
    input.setEncoding("utf8");
    input.resume();
    output.write(question);
    let value = "";
    const finish = () => {
      input.off("data", onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write("\n");
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new LerError("interrupted", "Interrupted."));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    input.on("data", onData);
  });
}

/**
 * A private key for `ler id import`: from an environment variable (default LER_PRIVATE_KEY), from stdin with
 * `--stdin`, or typed at a hidden prompt on a terminal. Never from argv.
 */
export async function privateKeyInput(
  { keyEnv, stdin: fromStdin }: { keyEnv: string; stdin: boolean },
  {
    env = process.env,
    stdin = process.stdin,
    stderr = process.stderr,
  }: { env?: NodeJS.ProcessEnv; stdin?: NodeJS.ReadStream; stderr?: NodeJS.WriteStream } = {},
): Promise<string> {
  if (fromStdin) {
    const text = (await readAll(stdin)).trim();
    if (text === "")
      throw new UsageError("missing_private_key", "Nothing on stdin: pipe the private key in (hex, one line).");
    return text.split(/\r?\n/)[0]!.trim();
  }
  const value = env[keyEnv];
  if (value !== undefined && value.trim() !== "") return value.trim();
  if (stdin.isTTY === true) {
    const typed = await promptHidden("Private key (hex): ", stdin as ReadStream, stderr);
    if (typed.trim() !== "") return typed.trim();
  }
  throw new UsageError(
    "missing_private_key",
    `No private key: set ${keyEnv}, or pipe it in with --stdin. Keys are never taken from the command line.`,
  );
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
