import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Card, Input, Label, Select, LoadMore, ShownOnce, StatusBadge, TableHead } from "../components/ui";
import { api, type Page } from "../lib/api";
import { errorText, time } from "../lib/hooks";

type Tenant = { id: string; name: string; slug: string; status: "ACTIVE" | "SUSPENDED"; createdAt: string; updatedAt: string };
type CreatedTenant = { tenant: Tenant; adminKey: { secret: string } };

/** For the deployment's operators: every tenant, created, renamed, suspended and resumed here. */
export function TenantsPage() {
  const [status, setStatus] = useState("");
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [created, setCreated] = useState<CreatedTenant | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (after: string | null) => {
    try {
      const query = new URLSearchParams({ limit: "50", ...(status ? { status } : {}), ...(after ? { cursor: after } : {}) });
      const page = await api<Page<Tenant>>(`/api/operator/tenants?${query}`);
      setTenants((current) => (after ? [...current, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (failure) {
      setError(errorText(failure));
    }
  }, [status]);

  useEffect(() => void load(null), [load]);

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      setError(null);
      await load(null);
      return true;
    } catch (failure) {
      setError(errorText(failure));
      return false;
    }
  }

  function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    void act(async () => {
      setCreated(await api<CreatedTenant>("/api/operator/tenants", { method: "POST", body: JSON.stringify({ name: data.get("name"), slug: data.get("slug") }) }));
      form.reset();
    });
  }

  const update = (tenant: Tenant, change: { name?: string; status?: Tenant["status"] }) =>
    act(() => api(`/api/operator/tenants/${tenant.id}`, { method: "PATCH", body: JSON.stringify(change) }));

  function rename(event: FormEvent<HTMLFormElement>, tenant: Tenant) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name")).trim();
    void update(tenant, { name }).then((done) => done && setRenaming(null));
  }

  const suspend = (tenant: Tenant) =>
    window.confirm(`Suspend ${tenant.name}? Its keys and users are refused and its notifications wait until it is resumed.`) &&
    void update(tenant, { status: "SUSPENDED" });

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Tenants</h1>
      {error && <Alert>{error}</Alert>}
      {created && (
        <ShownOnce title={`${created.tenant.name}: its first ADMIN key, shown this once`} value={created.adminKey.secret} testId="tenant-key" onDone={() => setCreated(null)}>
          <p className="text-xs text-slate-600">Hand it to the tenant's admin: they sign in with it and invite their users.</p>
        </ShownOnce>
      )}
      <Card title="Create a tenant">
        <form onSubmit={create} className="grid grid-cols-1 items-end gap-2 sm:grid-cols-3">
          <div>
            <Label htmlFor="tenant-name">Name</Label>
            <Input id="tenant-name" name="name" required maxLength={200} placeholder="Acme Inc" />
          </div>
          <div>
            <Label htmlFor="tenant-slug">Slug (for signing in)</Label>
            <Input id="tenant-slug" name="slug" required pattern="[a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?" minLength={2} maxLength={63} title="2–63 lowercase letters, digits and dashes, not starting or ending with a dash" placeholder="acme" />
          </div>
          <Button type="submit">Create tenant</Button>
        </form>
      </Card>
      <Card title="Tenants">
        <div className="mb-2 w-48">
          <Label htmlFor="tenant-status">Status</Label>
          <Select id="tenant-status" value={status} onChange={(event) => setStatus(event.target.value)}>
            <option value="">any</option>
            <option>ACTIVE</option>
            <option>SUSPENDED</option>
          </Select>
        </div>
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["Name", "Slug", "Status", "Created", "Id", { hidden: "Actions" }]} />
            <tbody>
              {tenants.map((tenant) => (
                <tr key={tenant.id} className="border-b border-slate-100 last:border-0" data-tenant={tenant.slug}>
                  <td className="py-2 pr-4">
                    {renaming === tenant.id ? (
                      <form onSubmit={(event) => rename(event, tenant)} className="flex gap-1">
                        <Input name="name" aria-label={`New name of ${tenant.slug}`} defaultValue={tenant.name} required maxLength={200} />
                        <Button type="submit">Save</Button>
                      </form>
                    ) : (
                      tenant.name
                    )}
                  </td>
                  <td className="py-2 pr-4 font-mono text-xs">{tenant.slug}</td>
                  <td className="py-2 pr-4" data-testid="tenant-status">
                    <StatusBadge status={tenant.status} like={tenant.status === "ACTIVE" ? "SENT" : "FAILED"} />
                  </td>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(tenant.createdAt)}</td>
                  <td className="py-2 pr-4 font-mono text-xs break-all">{tenant.id}</td>
                  <td className="py-2 pr-4 whitespace-nowrap">
                    <Button variant="ghost" onClick={() => setRenaming(renaming === tenant.id ? null : tenant.id)} aria-label={`Rename ${tenant.slug}`}>
                      Rename
                    </Button>
                    {tenant.status === "ACTIVE" ? (
                      <Button variant="ghost" onClick={() => suspend(tenant)} aria-label={`Suspend ${tenant.slug}`}>
                        Suspend
                      </Button>
                    ) : (
                      <Button variant="ghost" onClick={() => void update(tenant, { status: "ACTIVE" })} aria-label={`Resume ${tenant.slug}`}>
                        Resume
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {tenants.length === 0 && <p className="py-2 text-sm text-slate-600">No tenants.</p>}
        </div>
        <LoadMore cursor={cursor} onLoad={(next) => void load(next)} />
      </Card>
    </div>
  );
}
