// Copies what the compiled code reads beside itself (the verifier page's files) from src/ to dist/.
import { cpSync } from "node:fs";

cpSync(new URL("../src/server/public/", import.meta.url), new URL("../dist/server/public/", import.meta.url), {
  recursive: true,
});
