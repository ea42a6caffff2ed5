// Prints the objects of a multi-document YAML file as one JSON array, for the C# tests that read
// rendered manifests (tests/Notifly.Tests/Deployment): .NET has no YAML reader in this build.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const documents = parseAllDocuments(readFileSync(process.argv[2], "utf8"));
const failed = documents.flatMap((d) => d.errors);
if (failed.length > 0) {
  console.error(failed.map((e) => e.message).join("\n"));
  process.exit(1);
}
console.log(JSON.stringify(documents.map((d) => d.toJS()).filter((o) => o !== null)));
