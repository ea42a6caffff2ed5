import { useState, type FormEvent } from "react";
import { Alert, Button, Card, Input, Label, LoadMore, TableHead } from "../components/ui";
import { api, type Page } from "../lib/api";
import { errorText, time, useResource } from "../lib/hooks";

type AuditLogEntry = {
  id: number;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string;
  changes?: unknown;
  ipAddress?: string | null;
  userAgent?: string | null;
  createdAt: string;
};

const filters = [
  { name: "action", label: "Action", placeholder: "user.invited" },
  { name: "resourceType", label: "Resource type", placeholder: "api_key" },
  { name: "actor", label: "Who", placeholder: "ada@example.com" },
] as const;

/** The tenant's administrative changes, newest first, filtered on the server and paged by its cursor. */
export function AuditLogPage() {
  const [query, setQuery] = useState("");
  const { data, error, setError } = useResource<Page<AuditLogEntry>>(`/api/admin/audit-logs?limit=50${query}`);
  const [more, setMore] = useState<{ query: string; items: AuditLogEntry[]; cursor: string | null }>({ query: "", items: [], cursor: null });
  // rows fetched with "Load more" belong to the filter they were fetched under
  const extra = more.query === query ? more : { items: [], cursor: data?.nextCursor ?? null };
  const cursor = extra.items.length > 0 ? extra.cursor : (data?.nextCursor ?? null);
  const entries = [...(data?.items ?? []), ...extra.items];

  function filter(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const { name } of filters) {
      const value = String(form.get(name) ?? "").trim();
      if (value) params.set(name, value);
    }
    setQuery(params.size > 0 ? `&${params}` : "");
  }

  async function loadMore(after: string) {
    try {
      const page = await api<Page<AuditLogEntry>>(`/api/admin/audit-logs?limit=50${query}&cursor=${encodeURIComponent(after)}`);
      setMore({ query, items: [...extra.items, ...page.items], cursor: page.nextCursor });
    } catch (failure) {
      setError(errorText(failure));
    }
  }

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Audit log</h1>
      {error && <Alert>{error}</Alert>}
      <Card title="Filter">
        <form onSubmit={filter} className="grid grid-cols-1 items-end gap-2 sm:grid-cols-4">
          {filters.map(({ name, label, placeholder }) => (
            <div key={name}>
              <Label htmlFor={`audit-${name}`}>{label}</Label>
              <Input id={`audit-${name}`} name={name} placeholder={placeholder} />
            </div>
          ))}
          <Button type="submit">Filter</Button>
        </form>
      </Card>
      <Card title="Changes">
        <div className="overflow-x-auto" tabIndex={0}>
          <table className="w-full text-left text-sm">
            <TableHead columns={["When", "Who", "Action", "Resource", "From", "Changes"]} />
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} className="border-b border-slate-100 align-top last:border-0" data-action={entry.action}>
                  <td className="py-2 pr-4 whitespace-nowrap">{time(entry.createdAt)}</td>
                  <td className="py-2 pr-4">{entry.actor}</td>
                  <td className="py-2 pr-4 font-mono text-xs">{entry.action}</td>
                  <td className="py-2 pr-4">
                    {entry.resourceType} <span className="font-mono text-xs break-all text-slate-600">{entry.resourceId}</span>
                  </td>
                  <td className="py-2 pr-4 text-xs text-slate-600" title={entry.userAgent ?? undefined}>
                    {entry.ipAddress ?? "—"}
                  </td>
                  <td className="py-2 pr-4">
                    {entry.changes == null ? (
                      "—"
                    ) : (
                      <details>
                        <summary className="cursor-pointer text-indigo-700">Show</summary>
                        <pre tabIndex={0} className="mt-1 max-w-md overflow-x-auto rounded bg-slate-50 p-2 text-xs">{JSON.stringify(entry.changes, null, 2)}</pre>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data && entries.length === 0 && <p className="py-2 text-sm text-slate-600">Nothing matches.</p>}
        </div>
        <LoadMore cursor={cursor} onLoad={(next) => void loadMore(next)} />
      </Card>
    </div>
  );
}
