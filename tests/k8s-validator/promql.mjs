#!/usr/bin/env node
// Checks the PromQL of Notifly's monitoring: the PrometheusRules of rendered manifests and the
// Grafana dashboards (k8s/monitoring/).
//
//   node promql.mjs [--series] <rendered.yaml | dashboard.json>...
//
// Files ending in .json are Grafana dashboards (bare, or wrapped as {"dashboard": {...}});
// anything else is multi-document Kubernetes YAML, of which only kind PrometheusRule is read.
//
// Checks, each reported with its file and location (group and rule, or panel and target):
//   - every expression parses with @prometheus-io/lezer-promql (a tree with an error node is a
//     syntax error), and range functions (rate, increase, *_over_time, ...) get a range vector;
//   - every rule is either a record with a valid metric name or an alert; every alert has an
//     expr, labels.severity and annotations.summary, and a valid "for" when it has one;
//   - a name with a colon (a recording rule's) is defined by a rule among the inputs;
//   - every Grafana panel but rows and text has a title and at least one target with an expr;
//     panel ids are unique; every $variable the dashboard uses (panels and variable queries)
//     is one of its template variables or Grafana's own ($__rate_interval, ...).
// Exit status: 0 when clean, 1 when anything failed (listed on stderr), 2 on bad usage.
//
// With --series it prints instead, one per line, sorted and unique, the metric names that the
// expressions select, less the recording rules defined in the inputs and the series Prometheus
// makes itself (up, scrape_*, ALERTS): what a real /metrics scrape must expose. It still exits 1,
// printing nothing on stdout, when a check fails.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';

const SYNTHETIC = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'scrape_timeout_seconds',
  'scrape_sample_limit',
  'scrape_body_size_bytes',
  'ALERTS',
  'ALERTS_FOR_STATE',
]);

// Functions whose argument at that index must be a range vector (a matrix selector or a subquery).
const RANGE_ARGUMENT = new Map([
  ['rate', 0], ['irate', 0], ['increase', 0], ['delta', 0], ['idelta', 0], ['deriv', 0],
  ['changes', 0], ['resets', 0], ['predict_linear', 0], ['holt_winters', 0],
  ['double_exponential_smoothing', 0], ['quantile_over_time', 1],
]);

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PROM_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

// Grafana's own variables, with a stand-in of the right kind for parsing.
const GRAFANA_BUILTINS = new Map([
  ['__rate_interval', '5m'], ['__interval', '1m'], ['__range', '1h'], ['__auto', '1m'],
  ['__rate_interval_ms', '300000'], ['__interval_ms', '60000'], ['__range_ms', '3600000'], ['__range_s', '3600'],
  ['__from', '0'], ['__to', '0'], ['__all', '.*'], ['__dashboard', 'x'], ['__name', 'x'], ['__org', '1'],
  ['__user', 'x'], ['__timeFilter', 'x'], ['__timeFrom', '0'], ['__timeTo', '0'], ['__value', '1'],
  ['__series', 'x'], ['__field', 'x'], ['__data', 'x'], ['__cell', 'x'],
]);

// $name, ${name}, ${name:format}, ${name.path}, [[name]], [[name:format]]
const VARIABLE_REFERENCE = /\$\{([A-Za-z0-9_]+)(?:[:.][^}]*)?\}|\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+)(?::[^\]]*)?\]\]/g;

const errors = [];
const recordNames = new Set();
const expressions = []; // { file, where, expr, text }: text is what was parsed

function fail(file, where, message) {
  errors.push(`${file}: ${where}: ${message}`);
}

// ---------------------------------------------------------------------------------------------
// PromQL

function parsePromQL(text) {
  const tree = parser.parse(text);
  const syntax = [];
  const selectors = [];
  const rangeMisuse = [];
  const slice = (node) => text.slice(node.from, node.to);

  tree.iterate({
    enter(ref) {
      if (ref.type.isError) {
        syntax.push(ref.from);
        return;
      }

      if (ref.name === 'VectorSelector') {
        const name = selectorName(ref.node, slice);
        if (name) {
          selectors.push(name);
        }
      } else if (ref.name === 'FunctionCall') {
        const misuse = rangeArgumentMisuse(ref.node, slice);
        if (misuse) {
          rangeMisuse.push(misuse);
        }
      }
    },
  });

  if (text.trim() === '' && syntax.length === 0) {
    syntax.push(0);
  }

  return { syntax, selectors, rangeMisuse };
}

function selectorName(node, slice) {
  const identifier = node.getChild('Identifier');
  if (identifier) {
    return slice(identifier);
  }

  const matchers = node.getChild('LabelMatchers');
  if (!matchers) {
    return null;
  }

  for (let child = matchers.firstChild; child; child = child.nextSibling) {
    if (child.name === 'QuotedLabelName') {
      return unquote(slice(child)); // {"metric.name", ...}
    }

    if (child.name === 'UnquotedLabelMatcher' || child.name === 'QuotedLabelMatcher') {
      const label = child.getChild('LabelName') ?? child.getChild('QuotedLabelName');
      const op = child.getChild('MatchOp');
      const value = child.getChild('StringLiteral');
      const labelName = label && (label.name === 'QuotedLabelName' ? unquote(slice(label)) : slice(label));
      if (labelName === '__name__' && op?.firstChild?.name === 'EqlSingle' && value) {
        return unquote(slice(value));
      }
    }
  }

  return null;
}

function rangeArgumentMisuse(node, slice) {
  const identifier = node.getChild('FunctionIdentifier');
  const body = node.getChild('FunctionCallBody');
  if (!identifier || !body) {
    return null;
  }

  const name = slice(identifier);
  const index = RANGE_ARGUMENT.get(name) ?? (name.endsWith('_over_time') ? 0 : undefined);
  if (index === undefined) {
    return null;
  }

  const args = [];
  for (let child = body.firstChild; child; child = child.nextSibling) {
    if (!child.type.isError) {
      args.push(child);
    }
  }

  let argument = args[index];
  while (argument && ['ParenExpr', 'OffsetExpr', 'StepInvariantExpr'].includes(argument.name)) {
    argument = argument.firstChild;
  }

  if (!argument || argument.name === 'MatrixSelector' || argument.name === 'SubqueryExpr') {
    return null;
  }

  return { from: argument.from, message: `${name}() needs a range vector (a [range] selector or a subquery) as argument ${index + 1}` };
}

function unquote(literal) {
  const quote = literal[0];
  if (quote === '`') {
    return literal.slice(1, -1);
  }

  if (quote === '"' || quote === "'") {
    try {
      return JSON.parse(quote === '"' ? literal : `"${literal.slice(1, -1).replace(/"/g, '\\"')}"`);
    } catch {
      return literal.slice(1, -1);
    }
  }

  return literal;
}

function position(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  const lineText = text.split('\n')[line - 1];
  return { line, column, lineText };
}

function pointAt(text, offset) {
  const { line, column, lineText } = position(text, offset);
  return `line ${line}, column ${column}\n      ${lineText}\n      ${' '.repeat(Math.max(0, column - 1))}^`;
}

function checkExpression(file, where, text, original = text) {
  if (typeof text !== 'string') {
    fail(file, where, 'expression is not a string');
    return;
  }

  const { syntax, selectors, rangeMisuse } = parsePromQL(text);
  const substituted = text === original ? '' : ' (after substituting Grafana variables)';
  if (syntax.length > 0) {
    fail(file, where, `PromQL syntax error at ${pointAt(text, syntax[0])}${substituted}`);
  }

  for (const misuse of rangeMisuse) {
    fail(file, where, `${misuse.message}, at ${pointAt(text, misuse.from)}${substituted}`);
  }

  expressions.push({ file, where, selectors });
}

// ---------------------------------------------------------------------------------------------
// PrometheusRule

function readRules(file, source) {
  const documents = parseAllDocuments(source);
  for (const document of documents) {
    for (const error of document.errors) {
      fail(file, 'YAML', error.message);
    }
  }

  const objects = [];
  for (const document of documents) {
    const value = document.toJS();
    if (value?.kind === 'List' && Array.isArray(value.items)) {
      objects.push(...value.items);
    } else if (value) {
      objects.push(value);
    }
  }

  const rules = objects.filter(o => o?.kind === 'PrometheusRule');
  for (const rule of rules) {
    const owner = `PrometheusRule ${rule.metadata?.namespace ? rule.metadata.namespace + '/' : ''}${rule.metadata?.name ?? '(unnamed)'}`;
    const groups = rule.spec?.groups;
    if (!Array.isArray(groups) || groups.length === 0) {
      fail(file, owner, 'spec.groups is empty');
      continue;
    }

    for (const [g, group] of groups.entries()) {
      const groupName = group?.name ?? `#${g}`;
      for (const item of group?.rules ?? []) {
        if (typeof item?.record === 'string' && item.alert === undefined) {
          recordNames.add(item.record);
        }
      }

      if (!Array.isArray(group?.rules) || group.rules.length === 0) {
        fail(file, `${owner} group ${groupName}`, 'has no rules');
        continue;
      }

      for (const [r, item] of group.rules.entries()) {
        checkRule(file, `${owner} group ${groupName}`, item, r);
      }
    }
  }

  return rules.length;
}

function checkRule(file, owner, item, index) {
  const isRecord = item?.record !== undefined;
  const isAlert = item?.alert !== undefined;
  if (isRecord === isAlert) {
    fail(file, `${owner} rule #${index}`, 'a rule needs exactly one of "record" and "alert"');
    return;
  }

  const where = isRecord ? `${owner} record ${item.record}` : `${owner} alert ${item.alert}`;
  if (isRecord && !METRIC_NAME.test(String(item.record))) {
    fail(file, where, `"${item.record}" is not a valid metric name`);
  }

  if (isAlert && (typeof item.alert !== 'string' || item.alert.trim() === '')) {
    fail(file, `${owner} rule #${index}`, 'alert has no name');
  }

  const expr = typeof item.expr === 'number' ? String(item.expr) : item.expr;
  if (expr === undefined || expr === null || String(expr).trim() === '') {
    fail(file, where, 'has no expr');
  } else {
    checkExpression(file, where, expr);
  }

  if (isAlert) {
    if (!nonEmpty(item.labels?.severity)) {
      fail(file, where, 'has no labels.severity');
    }

    if (!nonEmpty(item.annotations?.summary)) {
      fail(file, where, 'has no annotations.summary');
    }

    if (item.for !== undefined && !PROM_DURATION.test(String(item.for))) {
      fail(file, where, `"for: ${item.for}" is not a Prometheus duration`);
    }
  } else if (item.for !== undefined || item.annotations !== undefined) {
    fail(file, where, 'a recording rule takes no "for" or annotations');
  }
}

function nonEmpty(value) {
  return typeof value === 'string' && value.trim() !== '';
}

// ---------------------------------------------------------------------------------------------
// Grafana

function readDashboard(file, source) {
  let json;
  try {
    json = JSON.parse(source);
  } catch (e) {
    fail(file, 'JSON', e.message);
    return;
  }

  const dashboard = json?.dashboard && typeof json.dashboard === 'object' ? json.dashboard : json;
  const variables = new Map();
  for (const variable of dashboard?.templating?.list ?? []) {
    if (!nonEmpty(variable?.name)) {
      fail(file, 'templating', 'a variable has no name');
      continue;
    }

    variables.set(variable.name, variable);
  }

  for (const variable of variables.values()) {
    const where = `variable ${variable.name}`;
    checkReferences(file, where, variable, variables);
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (variable.type === 'query' && nonEmpty(query)) {
      const promql = variableQueryPromQL(query);
      if (promql !== null) {
        checkExpression(file, where, substitute(promql, variables), promql);
      }
    }
  }

  const panels = [];
  const walk = (list) => {
    for (const panel of list ?? []) {
      panels.push(panel);
      walk(panel?.panels); // a collapsed row keeps its panels inside
    }
  };
  walk(dashboard?.panels);
  for (const row of dashboard?.rows ?? []) {
    walk(row?.panels); // schema < 16
  }

  if (panels.length === 0) {
    fail(file, 'dashboard', 'has no panels');
  }

  const ids = new Map();
  for (const panel of panels) {
    const title = nonEmpty(panel?.title) ? panel.title : null;
    const where = `panel ${title ? JSON.stringify(title) : '(untitled)'}${panel?.id !== undefined ? ` (id ${panel.id})` : ''}`;
    if (panel?.id !== undefined) {
      if (ids.has(panel.id)) {
        fail(file, where, `panel id ${panel.id} is also used by panel ${JSON.stringify(ids.get(panel.id))}`);
      }

      ids.set(panel.id, title);
    }

    if (!title) {
      fail(file, where, 'has no title');
    }

    const { panels: nested, ...own } = panel ?? {};
    checkReferences(file, where, own, variables);
    if (panel?.type === 'row' || panel?.type === 'text') {
      continue;
    }

    const targets = Array.isArray(panel?.targets) ? panel.targets : [];
    if (targets.length === 0) {
      fail(file, where, 'has no targets');
    }

    for (const [i, target] of targets.entries()) {
      const targetWhere = `${where} target ${target?.refId ?? '#' + i}`;
      if (target?.hide === true && !nonEmpty(target?.expr)) {
        continue;
      }

      if (!nonEmpty(target?.expr)) {
        fail(file, targetWhere, 'has no expr');
        continue;
      }

      checkExpression(file, targetWhere, substitute(target.expr, variables), target.expr);
    }
  }
}

// label_values(selector, label) and query_result(expr) carry PromQL; label_values(label),
// label_names() and metrics(regex) do not.
function variableQueryPromQL(query) {
  const trimmed = query.trim();
  const labelValues = /^label_values\s*\(([\s\S]*),\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$/.exec(trimmed);
  if (labelValues) {
    return labelValues[1];
  }

  const queryResult = /^query_result\s*\(([\s\S]*)\)$/.exec(trimmed);
  if (queryResult) {
    return queryResult[1];
  }

  if (/^(label_values|label_names|metrics)\s*\(/.test(trimmed)) {
    return null;
  }

  return trimmed; // a plain PromQL variable query
}

function* referencesIn(value) {
  if (typeof value === 'string') {
    for (const match of value.matchAll(VARIABLE_REFERENCE)) {
      yield match[1] ?? match[2] ?? match[3];
    }
  } else if (Array.isArray(value)) {
    for (const item of value) {
      yield* referencesIn(item);
    }
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) {
      yield* referencesIn(item);
    }
  }
}

function checkReferences(file, where, value, variables) {
  const unknown = new Set();
  for (const name of referencesIn(value)) {
    if (/^\d+$/.test(name) || name.startsWith('__') || variables.has(name)) {
      continue; // $1 is a regex group (label_replace), __* are Grafana's own
    }

    unknown.add(name);
  }

  for (const name of unknown) {
    fail(file, where, `uses $${name}, which is not a template variable of the dashboard`);
  }
}

// Grafana variables inside PromQL strings stay as they are (they are only text there); outside
// strings each becomes a stand-in of its kind, so the expression can be parsed.
function substitute(expr, variables) {
  let out = '';
  let quote = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      out += c;
      if (c === '\\' && quote !== '`' && i + 1 < expr.length) {
        out += expr[++i];
      } else if (c === quote) {
        quote = null;
      }

      continue;
    }

    if (c === '"' || c === "'" || c === '`') {
      quote = c;
      out += c;
      continue;
    }

    VARIABLE_REFERENCE.lastIndex = i;
    const match = c === '$' || c === '[' ? VARIABLE_REFERENCE.exec(expr) : null;
    if (match && match.index === i) {
      out += standIn(match[1] ?? match[2] ?? match[3], variables);
      i += match[0].length - 1;
    } else {
      out += c;
    }
  }

  return out;
}

function standIn(name, variables) {
  if (GRAFANA_BUILTINS.has(name)) {
    return GRAFANA_BUILTINS.get(name);
  }

  const variable = variables.get(name);
  if (variable?.type === 'interval') {
    return '5m';
  }

  const current = variable?.current?.value ?? variable?.query;
  if (typeof current === 'string' && /^[A-Za-z0-9_.:]+$/.test(current)) {
    return current;
  }

  return '1';
}

// ---------------------------------------------------------------------------------------------

function main(argv) {
  const series = argv.includes('--series');
  const files = argv.filter(a => a !== '--series');
  const unknownFlags = files.filter(f => f.startsWith('--'));
  if (files.length === 0 || unknownFlags.length > 0) {
    process.stderr.write('usage: node promql.mjs [--series] <rendered.yaml | dashboard.json>...\n');
    return 2;
  }

  let ruleObjects = 0;
  let dashboards = 0;
  for (const file of files) {
    let source;
    try {
      source = readFileSync(file, 'utf8');
    } catch (e) {
      process.stderr.write(`${file}: ${e.message}\n`);
      return 2;
    }

    if (file.endsWith('.json')) {
      readDashboard(file, source);
      dashboards++;
    } else {
      ruleObjects += readRules(file, source);
    }
  }

  const names = new Set();
  for (const { file, where, selectors } of expressions) {
    for (const name of selectors) {
      if (recordNames.has(name)) {
        continue;
      }

      if (name.includes(':')) {
        fail(file, where, `selects ${name}, a recording rule's name that no rule in the inputs defines`);
        continue;
      }

      if (!SYNTHETIC.has(name)) {
        names.add(name);
      }
    }
  }

  if (errors.length > 0) {
    process.stderr.write(`${errors.map(e => e.replace(/\n/g, '\n  ')).join('\n')}\n${errors.length} problem(s)\n`);
    return 1;
  }

  if (series) {
    process.stdout.write([...names].sort().map(n => n + '\n').join(''));
  } else {
    process.stdout.write(
      `ok: ${expressions.length} expressions (${ruleObjects} PrometheusRule(s), ${dashboards} dashboard(s)) in ${files.map(f => basename(f)).join(', ')}\n`);
  }

  return 0;
}

process.exitCode = main(process.argv.slice(2));
