import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Input, Label, Select, StatusBadge, TableHead } from "../components/ui";
import { api } from "../lib/api";
import { time, useResource } from "../lib/hooks";

type Provider = {
  id: string;
  name: string;
  kind: Kind;
  channel: string;
  priority: number;
  active: boolean;
  settings: Record<string, unknown>;
  credentials: string[];
  maxConcurrency?: number | null;
  circuit: "closed" | "half-open" | "open";
  updatedAt: string;
};
type Kind = "sendgrid" | "twilio" | "fcm";

/** What each kind takes (docs/0015): shown settings, with an example, and its one secret. */
const kinds: Record<Kind, { channel: string; secret: string; secretLabel: string; example: Record<string, string> }> = {
  sendgrid: { channel: "EMAIL", secret: "apiKey", secretLabel: "API key", example: { from: "no-reply@shop.example", fromName: "Example Shop" } },
  twilio: { channel: "SMS", secret: "authToken", secretLabel: "Auth token", example: { accountSid: "AC…", from: "+15005550006" } },
  fcm: { channel: "PUSH", secret: "serviceAccountJson", secretLabel: "Service account JSON", example: {} },
};

const circuitColour = { closed: "SENT", "half-open": "RETRYING", open: "FAILED" } as const;

/** The add and edit form; `editing` null adds. A credential left empty on edit keeps the stored one. */
function ProviderForm({ editing, onSave, onCancel }: { editing: Provider | null; onSave: (body: object) => Promise<boolean>; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind>(editing?.kind ?? "sendgrid");
  const [settingsText, setSettingsText] = useState(JSON.stringify(editing?.settings ?? kinds[kind].example, null, 2));
  const [problem, setProblem] = useState<string | null>(null);
  const spec = kinds[kind];

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    let settings: unknown;
    try {
      settings = JSON.parse(settingsText || "{}");
    } catch {
      setProblem("Settings must be a JSON object.");
      return;
    }
    setProblem(null);
    const secret = String(form.get("secret") ?? "");
    const concurrency = String(form.get("maxConcurrency") ?? "");
    await onSave({
      name: form.get("name"),
      kind,
      priority: Number(form.get("priority")),
      active: form.get("active") === "on",
      settings,
      credentials: secret ? { [spec.secret]: secret } : editing ? undefined : {},
      maxConcurrency: concurrency ? Number(concurrency) : null,
    });
  }

  return (
    <form onSubmit={submit} className="space-y-3">
      <div className="grid grid-cols-1 gap-2 sm:grid-cols-4">
        <div>
          <Label htmlFor="provider-name">Name</Label>
          <Input id="provider-name" name="name" required maxLength={100} defaultValue={editing?.name} placeholder="sendgrid-primary" />
        </div>
        <div>
          <Label htmlFor="provider-kind">Kind</Label>
          <Select
            id="provider-kind"
            value={kind}
            disabled={editing !== null}
            onChange={(event) => {
              const next = event.target.value as Kind;
              setKind(next);
              setSettingsText(JSON.stringify(kinds[next].example, null, 2));
            }}
          >
            {Object.entries(kinds).map(([name, { channel }]) => (
              <option key={name} value={name}>
                {name} ({channel})
              </option>
            ))}
          </Select>
        </div>
        <div>
          <Label htmlFor="provider-priority">Priority (lowest first)</Label>
          <Input id="provider-priority" name="priority" type="number" min={0} required defaultValue={editing?.priority ?? 10} />
        </div>
        <div>
          <Label htmlFor="provider-concurrency">Max concurrency</Label>
          <Input id="provider-concurrency" name="maxConcurrency" type="number" min={1} defaultValue={editing?.maxConcurrency ?? ""} placeholder="the kind's limit" />
        </div>
      </div>
      <div>
        <Label htmlFor="provider-settings">Settings (JSON, shown to ADMINs)</Label>
        <textarea
          id="provider-settings"
          className="block min-h-24 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs"
          value={settingsText}
          onChange={(event) => setSettingsText(event.target.value)}
        />
      </div>
      <div>
        <Label htmlFor="provider-secret">{spec.secretLabel} (sealed, never shown again)</Label>
        {kind === "fcm" ? (
          <textarea id="provider-secret" name="secret" className="block min-h-24 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs" placeholder={editing ? "kept unless you paste a new one" : '{"type":"service_account",…}'} />
        ) : (
          <Input id="provider-secret" name="secret" type="password" autoComplete="off" placeholder={editing ? "kept unless you type a new one" : ""} />
        )}
      </div>
      <label className="inline-flex items-center gap-2 text-sm">
        <input type="checkbox" name="active" defaultChecked={editing?.active ?? true} /> Active
      </label>
      {problem && <Alert>{problem}</Alert>}
      <div className="flex gap-2">
        <Button type="submit">{editing ? "Save provider" : "Add provider"}</Button>
        {editing && (
          <Button type="button" variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </div>
    </form>
  );
}

export function ProvidersPage() {
  const { data: providers = [], error, run, reload } = useResource<Provider[]>("/api/admin/providers");
  const [editing, setEditing] = useState<Provider | null>(null);

  const save = async (body: object) => {
    const done = await run(() =>
      api(editing ? `/api/admin/providers/${editing.id}` : "/api/admin/providers", { method: editing ? "PUT" : "POST", body: JSON.stringify(body) }),
    );
    if (done) setEditing(null);
    return done;
  };
  const remove = (provider: Provider) =>
    window.confirm(`Delete ${provider.name}? Its channel falls back to your other providers, or the deployment's when none is left.`) &&
    run(() => api(`/api/admin/providers/${provider.id}`, { method: "DELETE" }));

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Providers</h1>
      <p className="text-sm text-slate-600">
        Your own provider accounts, tried by priority with failover. A channel without one of yours uses the deployment's. The circuit is this node's
        view: open means the provider is skipped for a while after repeated faults.
      </p>
      {error && <Alert>{error}</Alert>}
      <Card title="Providers">
        <div className="mb-2">
          <Button variant="ghost" onClick={() => void reload()}>
            Refresh
          </Button>
        </div>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Name", "Kind", "Channel", "Priority", "Active", "Circuit", "Credentials", "Changed", { hidden: "Actions" }]} />
            <tbody>
              {providers.map((p) => (
                <tr key={p.id} className="border-b border-slate-100 last:border-0" data-provider={p.name}>
                  <td className="py-2 pr-4 font-medium">{p.name}</td>
                  <td className="py-2 pr-4">{p.kind}</td>
                  <td className="py-2 pr-4">{p.channel}</td>
                  <td className="py-2 pr-4">{p.priority}</td>
                  <td className="py-2 pr-4">{p.active ? "yes" : "no"}</td>
                  <td className="py-2 pr-4" data-testid="circuit">
                    <StatusBadge status={p.circuit} like={circuitColour[p.circuit]} />
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{p.credentials.join(", ") || "—"}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(p.updatedAt)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">
                    <Button variant="ghost" onClick={() => setEditing(p)} aria-label={`Edit ${p.name}`}>
                      Edit
                    </Button>
                    <Button variant="ghost" onClick={() => void remove(p)} aria-label={`Delete ${p.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {providers.length === 0 && <p className="py-2 text-sm text-slate-600">None: every channel uses the deployment's providers.</p>}
        </div>
      </Card>
      <Card title={editing ? `Edit ${editing.name}` : "Add a provider"}>
        <ProviderForm key={editing?.id ?? "new"} editing={editing} onSave={save} onCancel={() => setEditing(null)} />
      </Card>
    </div>
  );
}
