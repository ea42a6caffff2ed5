// Checks rendered Kubernetes manifests offline against the schemas in kubernetes-models (the
// built-in API) and the Strimzi, CloudNativePG and Prometheus Operator model packages:
//
//   kubectl kustomize k8s/overlays/prod | node tests/k8s-validator/validate.mjs -
//   node tests/k8s-validator/validate.mjs rendered.yaml [more.yaml …]
//
// Prints "ok <kind>/<name>" per object, or its errors with their JSON path, and exits 1 when
// any document fails to parse, an object has no known model (apiVersion + kind), fails its
// schema, or repeats another's kind/namespace/name.
// The schemas check types, formats (quantities, …), enums and required fields. They do not
// reject unknown fields: a misspelt optional field passes unnoticed.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import * as kubernetes from "kubernetes-models";
import * as strimzi from "@kubernetes-models/strimzi-kafka-operator";
import * as cloudnativePg from "@kubernetes-models/cloudnative-pg";
import * as prometheusOperator from "@kubernetes-models/prometheus-operator";

// "apiVersion kind" → model class, from every class the packages export (nested by group and
// version); classes without apiVersion and kind are parts of objects, not objects.
const models = new Map();
function collect(exports) {
  for (const value of Object.values(exports)) {
    if (typeof value === "function" && typeof value.apiVersion === "string" && typeof value.kind === "string") {
      models.set(`${value.apiVersion} ${value.kind}`, value);
    } else if (value !== null && typeof value === "object") {
      collect(value);
    }
  }
}
[kubernetes, strimzi, cloudnativePg, prometheusOperator].forEach(collect);

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs <file.yaml | -> ...");
  process.exit(2);
}

let failed = false;
const seen = new Map(); // kind/namespace/name → where first seen

function fail(what, messages) {
  failed = true;
  console.log(`FAIL ${what}`);
  for (const message of messages) {
    console.log(`  ${message.trimEnd().replaceAll("\n", "\n  ")}`);
  }
}

// One line per schema error: the path inside the object, what is wrong, and the detail ajv
// gives (the allowed values of an enum, the missing property, …).
function describe(error) {
  const detail = Object.entries(error.params ?? {})
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(", ");
  return `${error.instancePath || "/"} ${error.message ?? error.keyword}${detail ? ` (${detail})` : ""}`;
}

for (const file of files) {
  const source = file === "-" ? "stdin" : file;
  const documents = parseAllDocuments(readFileSync(file === "-" ? 0 : file, "utf8"));
  for (const [index, document] of documents.entries()) {
    const where = `${source}, document ${index + 1}`;
    if (document.errors.length > 0) {
      fail(where, document.errors.map((e) => e.message));
      continue;
    }

    const object = document.toJS();
    if (object === null || object === undefined) {
      continue; // an empty document (e.g. a trailing ---)
    }

    const { apiVersion, kind, metadata } = object;
    const name = metadata?.name;
    const label = `${kind ?? "?"}/${name ?? "?"} (${where})`;
    if (typeof apiVersion !== "string" || typeof kind !== "string" || typeof name !== "string") {
      fail(label, ["apiVersion, kind and metadata.name must all be strings"]);
      continue;
    }

    const key = `${kind}/${metadata.namespace ?? ""}/${name}`;
    if (seen.has(key)) {
      fail(label, [`duplicate of ${kind}/${name} in namespace "${metadata.namespace ?? ""}" (${seen.get(key)})`]);
      continue;
    }
    seen.set(key, where);

    const Model = models.get(`${apiVersion} ${kind}`);
    if (Model === undefined) {
      fail(label, [`no schema known for apiVersion ${apiVersion}, kind ${kind}`]);
      continue;
    }

    try {
      new Model(object).validate();
      console.log(`ok ${kind}/${name}`);
    } catch (error) {
      fail(label, Array.isArray(error.errors) ? error.errors.map(describe) : [String(error.message ?? error)]);
    }
  }
}

process.exit(failed ? 1 : 0);
