import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Card, Input, Label, Select, ShownOnce, TableHead } from "../components/ui";
import { api, type ApiKey } from "../lib/api";
import { time } from "../lib/hooks";


export function ApiKeysPage() {
  const [keys, setKeys] = useState<ApiKey[]>([]);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setKeys(await api<ApiKey[]>("/api/admin/api-keys"));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, []);

  useEffect(() => void load(), [load]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      const answer = await api<{ key: ApiKey; secret: string }>("/api/admin/api-keys", {
        method: "POST",
        body: JSON.stringify({ name: String(data.get("name")), role: String(data.get("role")) }),
      });
      setCreated({ name: answer.key.name, secret: answer.secret });
      setError(null);
      form.reset();
      await load();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(`Revoke "${key.name}"? Anything using it is refused from now on.`)) return;
    try {
      await api(`/api/admin/api-keys/${key.id}`, { method: "DELETE" });
      await load();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  const curl = (secret: string) =>
    `curl -X POST ${window.location.origin}/api/notifications \\\n  -H "Authorization: Bearer ${secret}" -H 'Content-Type: application/json' \\\n` +
    `  -d '{"eventType":"order.paid","channels":["WEBHOOK"],"recipient":{"webhookUrl":"https://example.com/hook"},"payload":{"orderId":42}}'`;

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">API keys</h1>
      {error && <Alert>{error}</Alert>}
      {created && (
        <ShownOnce title={`New key "${created.name}": copy it now, it is not shown again`} value={created.secret} testId="new-secret" onDone={() => setCreated(null)}>
          <pre tabIndex={0} className="overflow-x-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{curl(created.secret)}</pre>
        </ShownOnce>
      )}
      <Card title="Create a key">
        <form onSubmit={create} className="grid grid-cols-1 items-end gap-2 sm:grid-cols-3">
          <div>
            <Label htmlFor="name">Name</Label>
            <Input id="name" name="name" required maxLength={100} placeholder="billing-service" />
          </div>
          <div>
            <Label htmlFor="role">Role</Label>
            <Select id="role" name="role" defaultValue="SERVICE">
              <option value="SERVICE">SERVICE: sends and reads notifications</option>
              <option value="ADMIN">ADMIN: everything</option>
            </Select>
          </div>
          <Button type="submit">Create key</Button>
        </form>
      </Card>
      <Card title="Keys">
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Name", "Prefix", "Role", "Created", "Last used", "Status", { hidden: "Actions" }]} />
            <tbody>
              {keys.map((key) => (
                <tr key={key.id} className="border-b border-slate-100 last:border-0" data-key={key.name}>
                  <td className="py-2 pr-4">{key.name}</td>
                  <td className="py-2 pr-4 font-mono text-xs">{key.prefix}</td>
                  <td className="py-2 pr-4">{key.role}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(key.createdAt)}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(key.lastUsedAt)}</td>
                  <td className="py-2 pr-4" data-testid="key-status">
                    {key.revokedAt ? "revoked" : "active"}
                  </td>
                  <td className="py-2 pr-4">
                    {!key.revokedAt && (
                      <Button variant="ghost" onClick={() => void revoke(key)}>
                        Revoke
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
    </div>
  );
}
