import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { LerError } from "../errors.js";

// JSON-LD contexts. The terms this project adds to a credential (the members of credentialStatus and issuanceAnchor,
// and their types) are defined in a context of its own, shipped as a file in contexts/ beside contexts/index.json: a
// map from every context URL our documents use to where a copy is, so that a verifier expands them offline.

/** The project's context: the members of LERStatusRegistryEntry and LERMerkleIssuanceAnchor, and both types. */
export const LER_CONTEXT = "https://w3id.org/ler/v1";
/** The vocabulary its terms expand into, e.g. `${LER_VOCAB}chainId`. */
export const LER_VOCAB = "https://w3id.org/ler/vocab#";
/** Where `ler serve` serves {@link LER_CONTEXT}. */
export const LER_CONTEXT_PATH = "/contexts/ler/v1.jsonld";
/** The folder of context files shipped in the package. */
export const CONTEXTS_DIR = new URL("../../contexts/", import.meta.url);
/** The file {@link LER_CONTEXT} is shipped as (contexts/index.json names it). */
export const LER_CONTEXT_FILE = new URL("ler-v1.jsonld", CONTEXTS_DIR);

/** Where contexts/index.json says a context is. */
export type ContextSource =
  /** A file in contexts/ (`source`: where a copy of a published context was taken from). */
  | { file: string; source?: string }
  /** A JSON file inside an npm package. */
  | { module: string; path: string }
  /** An npm package that exports a Map from context URL to context. */
  | { module: string; export: string }
  /** A context our documents use that no package carries: the verifier brings its own copy. */
  | { bundled: false; note: string };

/** What a jsonld.js document loader returns. */
export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: Record<string, unknown>;
}

const require = createRequire(import.meta.url);
let index: Record<string, ContextSource> | undefined;
const loaded = new Map<string, Record<string, unknown>>();

/** contexts/index.json: every context URL the project's documents use, and where its copy is. */
export function contextIndex(): Readonly<Record<string, ContextSource>> {
  index ??= JSON.parse(readFileSync(new URL("index.json", CONTEXTS_DIR), "utf8")) as Record<string, ContextSource>;
  return index;
}

/** The URLs {@link documentLoader} serves. */
export function bundledContextUrls(): string[] {
  return Object.entries(contextIndex())
    .filter(([, source]) => !("bundled" in source))
    .map(([url]) => url);
}

/**
 * The bundled context at `url`, a fresh copy each time (a caller that changes it changes no later expansion).
 * Anything not bundled throws `context_not_bundled`: nothing is fetched.
 */
export function bundledContext(url: string): Record<string, unknown> {
  let document = loaded.get(url);
  if (document === undefined) {
    document = readContext(url);
    loaded.set(url, document);
  }
  return structuredClone(document);
}

/**
 * A jsonld.js `documentLoader` that serves the bundled contexts and `extra` (copies the caller trusts of contexts the package
 * does not carry), and refuses every other URL with `context_not_bundled`: expanding a credential
 * never reaches the network, and no remote document can change what its terms mean. `extra` cannot replace a bundled
 * context (`context_conflict`).
 */
export function createDocumentLoader(
  extra: ReadonlyMap<string, Record<string, unknown>> = new Map(),
): (url: string) => Promise<RemoteDocument> {
  const own = new Map<string, Record<string, unknown>>();
  const bundled = bundledContextUrls();
  for (const [url, document] of extra) {
    if (bundled.includes(url)) {
      throw new LerError(
        "context_conflict",
        `The JSON-LD context ${url} is bundled already; a second copy could differ.`,
        {
          details: { url },
        },
      );
    }
    if (typeof document !== "object" || document === null || !("@context" in document)) {
      throw new LerError("invalid_context", `The document given for ${url} is not a JSON-LD context.`, {
        details: { url },
      });
    }
    own.set(url, structuredClone(document));
  }
  return async (url: string) => {
    const mine = own.get(url);
    const document = mine === undefined ? bundledContext(url) : structuredClone(mine);
    return { contextUrl: null, documentUrl: url, document };
  };
}

/** The loader of {@link createDocumentLoader} without extra contexts: the bundled ones only. */
export async function documentLoader(url: string): Promise<RemoteDocument> {
  return { contextUrl: null, documentUrl: url, document: bundledContext(url) };
}

function readContext(url: string): Record<string, unknown> {
  const contexts = contextIndex();
  const source = typeof url === "string" && Object.hasOwn(contexts, url) ? contexts[url] : undefined;
  if (source === undefined) {
    throw new LerError(
      "context_not_bundled",
      `The JSON-LD context ${String(url)} is not one this package bundles; this loader fetches nothing.`,
      { details: { url } },
    );
  }
  if ("bundled" in source) {
    throw new LerError("context_not_bundled", `The JSON-LD context ${url} is not bundled. ${source.note}`, {
      details: { url },
    });
  }
  let document: unknown;
  if ("file" in source) {
    document = JSON.parse(readFileSync(new URL(source.file, CONTEXTS_DIR), "utf8"));
  } else if ("path" in source) {
    document = JSON.parse(readFileSync(join(packageRoot(source.module), source.path), "utf8"));
  } else {
    packageRoot(source.module); // a missing package is named, not left to require's stack trace
    const exported = (require(source.module) as Record<string, unknown>)[source.export];
    document = exported instanceof Map ? exported.get(url) : undefined;
  }
  if (typeof document !== "object" || document === null || !("@context" in document)) {
    throw new LerError(
      "context_not_bundled",
      `The bundled copy of the JSON-LD context ${url} is missing or not a context.`,
      {
        details: { url },
      },
    );
  }
  return document as Record<string, unknown>;
}

// A package's folder: its `exports` may hide package.json and data files from require.resolve, but not its entry.
function packageRoot(name: string): string {
  let dir: string;
  try {
    dir = dirname(require.resolve(name));
  } catch (e) {
    throw new LerError(
      "context_not_bundled",
      `The package ${name}, which carries bundled contexts, is not installed.`,
      {
        details: { module: name },
        cause: e,
      },
    );
  }
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown };
      if (manifest.name === name) return dir;
    } catch {
      // No package.json here: keep climbing.
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new LerError("context_not_bundled", `The package ${name} has no package.json.`, {
        details: { module: name },
      });
    }
    dir = parent;
  }
}
