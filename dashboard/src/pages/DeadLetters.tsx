import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { Alert, Button, Card, TableHead } from "../components/ui";
import { api, may, type DashboardMetrics, type DeadLetter, type Page } from "../lib/api";
import { useAuth } from "../lib/auth";
import { time } from "../lib/hooks";


export function DeadLettersPage() {
  const { caller } = useAuth();
  const canEdit = may.edit(caller?.role);
  const [entries, setEntries] = useState<DeadLetter[]>([]);
  const [summary, setSummary] = useState<DashboardMetrics["failureSummary"] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const [page, metrics] = await Promise.all([
        api<Page<DeadLetter>>("/api/admin/dlq?limit=100"),
        api<DashboardMetrics>("/api/admin/metrics?window=24h"),
      ]);
      setEntries(page.items);
      setSummary(metrics.failureSummary);
      setSelected((current) => new Set([...current].filter((id) => page.items.some((e) => e.id === id))));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }, []);

  useEffect(() => void load(), [load]);

  async function act(ids: string[], action: "retry" | "delete") {
    const results = await Promise.allSettled(
      ids.map((id) => api(action === "retry" ? `/api/admin/dlq/${id}/retry` : `/api/admin/dlq/${id}`, { method: action === "retry" ? "POST" : "DELETE", ...(action === "retry" ? { body: "{}" } : {}) })),
    );
    const failed = results.filter((r) => r.status === "rejected").length;
    setMessage(`${action === "retry" ? "Retried" : "Deleted"} ${ids.length - failed} of ${ids.length}.`);
    setError(failed > 0 ? `${failed} could not be ${action === "retry" ? "retried" : "deleted"}; the list shows what is left.` : null);
    await load();
  }

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Dead letters</h1>
      {error && <Alert>{error}</Alert>}
      {message && (
        <p role="status" className="text-sm text-slate-700">
          {message}
        </p>
      )}
      <Card title="Failures in the last 7 days">
        {summary === null || summary.entries.length === 0 ? (
          <p className="text-sm text-slate-600">No failures.</p>
        ) : (
          <ul className="grid gap-1 text-sm sm:grid-cols-2">
            {summary.entries.map((e) => (
              <li key={`${e.channel}-${e.errorCode}`}>
                <span className="font-medium">{e.channel}</span> · {e.errorCode ?? "no code"}: {e.deadLetters} dead letters, {e.failedAttempts} failed attempts
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Open entries">
        {canEdit && entries.length > 0 && (
          <div className="mb-3 flex flex-wrap gap-2">
            <Button disabled={selected.size === 0} onClick={() => void act([...selected], "retry")}>
              Retry selected ({selected.size})
            </Button>
            <Button variant="ghost" disabled={selected.size === 0} onClick={() => void act([...selected], "delete")}>
              Delete selected
            </Button>
          </div>
        )}
        {entries.length === 0 ? (
          <p className="text-sm text-slate-600">The dead-letter queue is empty.</p>
        ) : (
          <div className="overflow-x-auto" tabIndex={0}>
            <table className="w-full text-left text-sm">
              <TableHead columns={[...(canEdit ? [{ hidden: "Select" }] : []), "Request", "Event type", "Channel", "Error", "Attempts", "Since", ...(canEdit ? ["Actions"] : [])]} />
              <tbody>
                {entries.map((e) => (
                  <tr key={e.id} className="border-b border-slate-100 last:border-0" data-dead-letter={e.requestId}>
                    {canEdit && (
                      <td className="py-2 pr-2">
                        <input type="checkbox" aria-label={`Select ${e.requestId}`} checked={selected.has(e.id)} onChange={() => toggle(e.id)} />
                      </td>
                    )}
                    <td className="py-2 pr-4 font-mono text-xs">
                      <Link className="text-indigo-700 underline" to={`/notifications/${e.requestId}`}>
                        {e.requestId}
                      </Link>
                    </td>
                    <td className="py-2 pr-4">{e.eventType}</td>
                    <td className="py-2 pr-4">{e.channel}</td>
                    <td className="py-2 pr-4">
                      {e.errorCode}
                      {e.errorMessage ? `: ${e.errorMessage}` : ""}
                    </td>
                    <td className="py-2 pr-4">{e.attempts}</td>
                    <td className="py-2 pr-4 whitespace-nowrap">{time(e.createdAt)}</td>
                    {canEdit && (
                      <td className="py-2 pr-4 whitespace-nowrap">
                        <Button variant="ghost" onClick={() => void act([e.id], "retry")}>
                          Retry
                        </Button>
                        <Button variant="ghost" onClick={() => void act([e.id], "delete")}>
                          Delete
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}
